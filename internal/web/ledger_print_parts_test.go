package web

import "testing"

func TestPrintParts(t *testing.T) {
	if got := printParts("status=filed", 2000, 2000, 1); got != nil {
		t.Fatalf("one print: %v", got)
	}
	got := printParts("status=filed", 4500, 2000, 2)
	if len(got) != 3 || got[2].From != 4001 || got[2].To != 4500 || !got[1].Current || got[0].Href != "/cases/print?status=filed&part=1" {
		t.Fatalf("parts %+v", got)
	}
	if withoutPart("part=2&status=filed") != "status=filed" {
		t.Fatal(withoutPart("part=2&status=filed"))
	}
}
