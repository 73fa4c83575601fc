package casesvc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// BenchmarkReport measures recording a case through the service (validation,
// grid lookup, deadline on the calendar, number, insert, timeline, audit, inbox) on SQLite.
func BenchmarkReport(b *testing.B) {
	a := testutil.NewApp(b, "sqlite")
	p, who := testutil.As(b, a, "patrol01")
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _, err := a.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: fmt.Sprintf("5b0c0a52-6f7e-4c43-8d1c-%012d", i),
			Category: "06010", Description: "基准测试", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
		if err != nil {
			b.Fatal(err)
		}
	}
}
