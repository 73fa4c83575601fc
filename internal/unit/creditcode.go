package unit

import (
	"errors"
	"strings"
)

// creditAlphabet is the GB 32100-2015 character set: digits and upper-case
// letters without I, O, Z, S and V, each standing for its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckCreditCode validates an 18-character unified social credit code. Its
// error text is a message key.
func CheckCreditCode(code string) error {
	if len(code) != 18 {
		return errors.New("err.credit_code_length")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, code[i])
		if v < 0 {
			return errors.New("err.credit_code_chars")
		}
		sum += v * creditWeights[i]
	}
	if code[17] != CreditCheckChar(sum) {
		return errors.New("err.credit_code_check")
	}
	return nil
}

// CreditCheckChar returns the check character for a weighted sum of the first 17 characters.
func CreditCheckChar(sum int) byte {
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c]
}

// CompleteCreditCode appends the check character to a 17-character body; it
// is used to make valid demo and test codes.
func CompleteCreditCode(body string) string {
	sum := 0
	for i := 0; i < 17 && i < len(body); i++ {
		sum += strings.IndexByte(creditAlphabet, body[i]) * creditWeights[i]
	}
	return body + string(CreditCheckChar(sum))
}
