package people

import (
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
)

func TestMobiles(t *testing.T) {
	for _, tc := range []struct {
		in            string
		mobile, phone bool
		masked        string
	}{
		{"13812345678", true, true, "138****5678"},
		{"19912345678", true, true, "199****5678"},
		{"12812345678", false, false, "*******5678"},
		{"1381234567", false, false, "******4567"},
		{"0938-8212345", false, true, "********2345"},
		{"09388212345", false, true, "*******2345"},
	} {
		if got := ValidMobile(tc.in); got != tc.mobile {
			t.Errorf("ValidMobile(%s) = %v", tc.in, got)
		}
		if got := ValidPhone(tc.in); got != tc.phone {
			t.Errorf("ValidPhone(%s) = %v", tc.in, got)
		}
		if got := MaskMobile(tc.in); got != tc.masked {
			t.Errorf("MaskMobile(%s) = %s, want %s", tc.in, got, tc.masked)
		}
	}
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("demo-pass")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("demo-pass")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !CheckPassword(h, "demo-pass") || CheckPassword(h, "demo-pasS") || CheckPassword("garbage", "demo-pass") {
		t.Error("CheckPassword is wrong")
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		name, pw, username, mobile string
		key                        string // "" when accepted
	}{
		{"OK", "gansu-lanzhou-7", "zhangsan", "13812345678", ""},
		{"OKTenExactly", "qf7-xm2-kp", "zhangsan", "", ""},
		{"OKChineseCountsCharacters", "蓝天保卫战守住每一片云", "zhangsan", "", ""},
		{"ErrEightDigits", "12345678", "zhangsan", "", "err.password_short"},
		{"ErrWordPassword", "password", "zhangsan", "", "err.password_short"},
		{"ErrDemoPassNine", "demo-pass", "admin", "", "err.password_short"},
		{"ErrCommonTen", "1234567890", "zhangsan", "", "err.password_common"},
		{"ErrCommonAnyCase", "QwertyUiop", "zhangsan", "", "err.password_common"},
		{"ErrUsername", "Zhangsan.Li", "zhangsan.li", "", "err.password_personal"},
		{"ErrMobile", "13812345678", "zhangsan", "13812345678", "err.password_personal"},
		{"ErrTooLong", strings.Repeat("x", 129), "zhangsan", "", "err.too_long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePassword("password", tc.pw, tc.username, tc.mobile)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if got := apperr.As(err).Fields["password"].Key; got != tc.key {
				t.Fatalf("error %v, want field password with %s", err, tc.key)
			}
		})
	}
	if !CommonPassword("Password") || !CommonPassword("12345678") || CommonPassword("gansu-lanzhou-7") {
		t.Error("CommonPassword is wrong")
	}
}

func TestPersonValidate(t *testing.T) {
	p := Person{Username: " Zhang.San ", Name: "张三", Mobile: "+86 138 1234 5678"}
	p.Normalize()
	if p.Username != "zhang.san" || p.Mobile != "13812345678" {
		t.Fatalf("Normalize = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Person{Username: "1x", Name: "", Mobile: "123"}
	if err := bad.Validate(); err == nil {
		t.Fatal("bad person accepted")
	}
}
