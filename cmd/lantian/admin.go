package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
)

var cli = store.Actor{Name: "cli"}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: lantian migrate up|status [--db …]")
	}
	// Opening the store applies pending migrations, so "up" is opening it.
	a, _, err := openApp(ctx, "migrate "+args[0], args[1:], stderr, nil)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	ms, err := a.DB.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tAPPLIED")
	for _, m := range ms {
		at := "pending"
		if m.AppliedAt != 0 {
			at = time.UnixMilli(m.AppliedAt).In(a.Loc).Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s\n", m.Version, at)
	}
	return tw.Flush()
}

// readPassword takes a password from the flag, or else a line of standard input.
func readPassword(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	fmt.Fprint(os.Stderr, "password: ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: lantian user add|passwd|list [flags]")
	}
	sub, rest := args[0], args[1:]
	var username, name, mobile, password, role, region string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		// "lantian user passwd zhangsan --db …": the name may come before the flags.
		username, rest = rest[0], rest[1:]
	}
	var unitID int64
	a, _, err := openApp(ctx, "user "+sub, rest, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", username, "username")
		fs.StringVar(&name, "name", "", "full name (add)")
		fs.StringVar(&mobile, "mobile", "", "11-digit mobile (add)")
		fs.StringVar(&password, "password", "", "password; read from standard input when empty")
		fs.StringVar(&role, "role", "", "role to give: admin, leader, inspector, patroller, volunteer, unit_contact (add)")
		fs.StringVar(&region, "region", "", "15-digit region code the role applies to (add)")
		fs.Int64Var(&unitID, "unit", 0, "unit id, for unit_contact (add)")
	})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	p := locale.New(a.Cfg.Lang)
	switch sub {
	case "add":
		pw, err := readPassword(password)
		if err != nil {
			return err
		}
		person := people.Person{Username: username, Name: name, Mobile: mobile, Active: true}
		person.Normalize()
		if err := people.ValidatePassword("password", pw, person.Username, person.Mobile); err != nil {
			return errors.New(p.Error(err))
		}
		if role != "" {
			person.Roles = []people.Assignment{{Role: people.Role(role), Region: region, UnitID: unitID}}
		}
		hash, err := people.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := a.DB.CreatePerson(ctx, cli, &person, hash); err != nil {
			return errors.New(p.Error(err))
		}
		fmt.Fprintf(stdout, "created %s (id %d)\n", person.Username, person.ID)
	case "passwd":
		person, _, err := a.DB.Credentials(ctx, username)
		if err != nil {
			return errors.New(p.Error(err))
		}
		pw, err := readPassword(password)
		if err != nil {
			return err
		}
		if err := people.ValidatePassword("password", pw, person.Username, person.Mobile); err != nil {
			return errors.New(p.Error(err))
		}
		hash, err := people.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := a.DB.SetPassword(ctx, cli, person.ID, hash, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s; their sessions were ended\n", person.Username)
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tMOBILE\tACTIVE\tROLES")
		for page := 1; ; page++ {
			ps, total, err := a.DB.People(ctx, store.PeopleFilter{All: true, Page: store.Page{Page: page, Size: 100}})
			if err != nil {
				return err
			}
			for _, person := range ps {
				var roles []string
				for _, r := range person.Roles {
					s := string(r.Role) + "@" + r.Region
					if r.UnitID != 0 {
						s = fmt.Sprintf("%s@unit:%d", r.Role, r.UnitID)
					}
					roles = append(roles, s)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\t%s\n", person.ID, person.Username, person.Name, person.Mobile, person.Active, strings.Join(roles, ","))
			}
			if page*100 >= total {
				break
			}
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown user command %q: use add, passwd or list", sub)
	}
	return nil
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: lantian backup FILE [--db …]")
	}
	file := args[0]
	a, _, err := openApp(ctx, "backup", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if err := a.DB.Backup(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", file)
	return nil
}
