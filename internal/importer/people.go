package importer

import (
	"context"
	"crypto/rand"
	"io"
	"math/big"
	"strconv"
	"strings"
	"sync"

	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// personColumns are the columns of a people file, in template order.
var personColumns = []column{
	{"name", []string{"姓名", "name"}, true},
	{"username", []string{"用户名", "账号", "username"}, true},
	{"mobile", []string{"手机号", "手机", "mobile"}, false},
	{"role", []string{"角色", "role"}, true},
	{"region", []string{"区域编码", "区域", "region"}, false},
	{"unit", []string{"单位", "unit"}, false},
	{"password", []string{"初始密码", "密码", "password"}, false},
}

// PersonHeaders returns the canonical Chinese headers of a people file, for a template.
func PersonHeaders() []string { return canonical(personColumns) }

// RoleLabels maps the Chinese labels of roles to their codes.
var RoleLabels = map[string]people.Role{
	"管理员": people.Admin, "网格长": people.Leader, "督查组": people.Inspector,
	"巡查员": people.Patroller, "网格员": people.Patroller, "志愿者": people.Volunteer,
	"红袖标志愿者": people.Volunteer, "单位联络人": people.UnitContact,
}

func roleOf(s string) (people.Role, bool) {
	if r, ok := RoleLabels[s]; ok {
		return r, true
	}
	r := people.Role(strings.ToLower(s))
	for _, known := range people.Roles {
		if r == known {
			return r, true
		}
	}
	return "", false
}

// GeneratedPasswordLen is the length of a generated initial password.
const GeneratedPasswordLen = 10

// passwordAlphabet leaves out look-alikes (0 O o 1 l I) so a password read
// aloud or copied from paper survives.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random initial password of GeneratedPasswordLen
// characters with at least one letter and one digit.
func GeneratePassword() (string, error) {
	max := big.NewInt(int64(len(passwordAlphabet)))
	for {
		b := make([]byte, GeneratedPasswordLen)
		for i := range b {
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				return "", err
			}
			b[i] = passwordAlphabet[n.Int64()]
		}
		s := string(b)
		if strings.ContainsAny(s, "23456789") && strings.IndexFunc(s, func(r rune) bool { return r > '9' }) >= 0 {
			return s, nil
		}
	}
}

// personRec is one person of a people file: the rows naming its username.
type personRec struct {
	person   people.Person
	password string // "" generates one
	rows     []int  // first row defines the person
	clean    []int  // rows without problems of their own
	badRow   int    // first row with problems; 0 when the person is valid
	roleRows map[string]int
}

// ParsePeople reads a people file (XLSX or CSV, see PersonHeaders): one role
// per row, rows sharing a username giving one person several roles. It
// checks each person (username, name, mobile, password), each role (known,
// bound to a stored region, or for unit contacts to a unit named by credit
// code or exact name, and inside the caller's scope), usernames and mobiles
// already stored or repeated in the file. A person with a bad row is left out
// whole: its other rows get import.person_invalid.
func ParsePeople(ctx context.Context, db *store.DB, r io.Reader, opts Options) (*Parsed, error) {
	t, err := openTable(r, opts.maxRows())
	if err != nil {
		return nil, err
	}
	defer t.close()
	h, err := readHeader(t, personColumns)
	if err != nil {
		return nil, err
	}
	pp := &personParser{h: h, lk: newLookup(db), opts: opts, byUser: map[string]*personRec{}, mobiles: map[string]int{}}
	p := &Parsed{Report: Report{Kind: People, Problems: []Problem{}}}
	err = eachRow(ctx, t, &p.Report, opts, func(row int, cells []string) error {
		rec, f, err := pp.parse(ctx, row, cells)
		if err != nil {
			return err
		}
		if rec.rows = append(rec.rows, row); len(rec.rows) == 1 {
			p.people = append(p.people, rec)
		}
		if len(f) > 0 {
			if rec.badRow == 0 {
				rec.badRow = row
			}
		} else {
			rec.clean = append(rec.clean, row)
		}
		f.report(&p.Report, h, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range p.people {
		if rec.badRow == 0 {
			p.Report.Valid += len(rec.rows)
			continue
		}
		for _, row := range rec.clean {
			p.Report.add(row, h.column("username"), "username", "import.person_invalid", rec.badRow)
		}
	}
	p.Report.sortProblems()
	return p, nil
}

type personParser struct {
	h       *header
	lk      *lookup
	opts    Options
	byUser  map[string]*personRec
	mobiles map[string]int // mobile → first row
}

func (pp *personParser) parse(ctx context.Context, row int, cells []string) (*personRec, fieldProblems, error) {
	h, f := pp.h, fieldProblems{}
	ps := people.Person{Username: h.cell(cells, "username"), Name: h.cell(cells, "name"), Mobile: normPhone(h.cell(cells, "mobile")), Active: true}
	ps.Normalize()
	password := h.cell(cells, "password")

	rec := pp.byUser[ps.Username]
	if rec == nil || ps.Username == "" {
		// The first row of a person: its own fields.
		rec = &personRec{person: ps, password: password, roleRows: map[string]int{}}
		if ps.Username != "" {
			pp.byUser[ps.Username] = rec
		} else {
			f.add("username", "err.required")
		}
		f.merge(ps.Validate(), nil)
		if _, bad := f["username"]; !bad {
			taken, err := pp.lk.usernameTaken(ctx, ps.Username)
			if err != nil {
				return rec, nil, err
			}
			if taken {
				f.add("username", "err.duplicate_value")
			}
		}
		if _, bad := f["mobile"]; !bad && ps.Mobile != "" {
			if first, ok := pp.mobiles[ps.Mobile]; ok {
				f.add("mobile", "import.duplicate_row", first)
			} else {
				pp.mobiles[ps.Mobile] = row
				taken, err := pp.lk.mobileTaken(ctx, ps.Mobile)
				if err != nil {
					return rec, nil, err
				}
				if taken {
					f.add("mobile", "err.duplicate_value")
				}
			}
		}
		if password != "" {
			f.merge(people.ValidatePassword("password", password, ps.Username, ps.Mobile), nil)
		}
	} else {
		// A further role of a person: other fields blank or the same.
		first := rec.rows[0]
		if ps.Name != "" && ps.Name != rec.person.Name {
			f.add("name", "import.person_mismatch", first)
		}
		if ps.Mobile != "" && ps.Mobile != rec.person.Mobile {
			f.add("mobile", "import.person_mismatch", first)
		}
		if password != "" && password != rec.password {
			f.add("password", "import.person_mismatch", first)
		}
	}

	a, err := pp.assignment(ctx, cells, f)
	if err != nil {
		return rec, nil, err
	}
	if a != nil {
		key := string(a.Role) + "|" + a.Region + "|" + strconv.FormatInt(a.UnitID, 10)
		if _, dup := rec.roleRows[key]; dup {
			f.add("role", "err.role_duplicate")
		} else {
			rec.roleRows[key] = row
			rec.person.Roles = append(rec.person.Roles, *a)
		}
	}
	return rec, f, nil
}

// assignment reads a row's role and its scope; nil when they have problems (added to f).
func (pp *personParser) assignment(ctx context.Context, cells []string, f fieldProblems) (*people.Assignment, error) {
	h := pp.h
	text := h.cell(cells, "role")
	role, ok := roleOf(text)
	switch {
	case text == "":
		f.add("role", "err.required")
		return nil, nil
	case !ok:
		f.add("role", "err.invalid_choice")
		return nil, nil
	}
	a := &people.Assignment{Role: role}
	if role == people.UnitContact {
		ref := h.cell(cells, "unit")
		if ref == "" {
			f.add("unit", "err.required")
			return nil, nil
		}
		us, err := pp.lk.units(ctx, ref)
		switch {
		case err != nil:
			return nil, err
		case len(us) == 0:
			f.add("unit", "err.unit_unknown")
		case len(us) > 1:
			f.add("unit", "import.unit_ambiguous")
		case !pp.opts.allowed(us[0].region):
			f.add("unit", "err.out_of_scope")
		default:
			a.UnitID = us[0].id
			return a, nil
		}
		return nil, nil
	}
	code := digits(h.cell(cells, "region"))
	if code == "" {
		f.add("region", "err.required")
		return nil, nil
	}
	lv, err := pp.lk.level(ctx, code)
	switch {
	case err != nil:
		return nil, err
	case lv == 0:
		f.add("region", "err.region_unknown")
	case !pp.opts.allowed(code):
		f.add("region", "err.out_of_scope")
	default:
		a.Region = code
		// The store checks the same rule again; keep the two in step.
		if err := people.ValidateAssignment(*a, region.ValidCode); err != nil {
			f.merge(err, map[string]string{"unit_id": "unit"})
			return nil, nil
		}
		return a, nil
	}
	return nil, nil
}

// hashWorkers bounds concurrent argon2id hashing (19 MiB each) on a small server.
const hashWorkers = 2

func applyPeople(ctx context.Context, db *store.DB, actor store.Actor, p *Parsed, res *Result) error {
	var good []*personRec
	for _, rec := range p.people {
		if rec.badRow == 0 {
			good = append(good, rec)
		}
	}
	// Passwords are generated and hashed before the transaction, so the
	// database's single writer is not held through seconds of argon2id.
	passwords := make([]string, len(good))
	for i, rec := range good {
		passwords[i] = rec.password
		if passwords[i] == "" {
			pw, err := GeneratePassword()
			if err != nil {
				return err
			}
			passwords[i] = pw
			res.Passwords = append(res.Passwords, Credential{Row: rec.rows[0], Username: rec.person.Username, Name: rec.person.Name, Password: pw})
		}
	}
	hashes, err := hashAll(ctx, passwords)
	if err != nil {
		return err
	}
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		for i, rec := range good {
			ps := rec.person
			ps.Roles = append([]people.Assignment(nil), rec.person.Roles...)
			if err := tx.CreatePerson(ctx, &ps, hashes[i]); err != nil {
				return rowErr(rec.rows[0], err)
			}
			res.Created++
		}
		return nil
	})
	if err != nil {
		res.Passwords = nil
	}
	return err
}

func hashAll(ctx context.Context, passwords []string) ([]string, error) {
	hashes := make([]string, len(passwords))
	errs := make([]error, len(passwords))
	next := make(chan int)
	var wg sync.WaitGroup
	for range hashWorkers {
		wg.Go(func() {
			for i := range next {
				hashes[i], errs[i] = people.HashPassword(passwords[i])
			}
		})
	}
	var ctxErr error
	for i := range passwords {
		if ctxErr = ctx.Err(); ctxErr != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if ctxErr != nil {
		return nil, ctxErr
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return hashes, nil
}
