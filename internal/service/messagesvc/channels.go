package messagesvc

import (
	"context"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
)

// Channels: admins manage all, leaders those of their regions, others
// nothing (403). A channel outside the caller's regions answers 404; a
// region outside them, 422 as for one that does not exist.

// Channels lists the channels p manages.
func (s *Service) Channels(ctx context.Context, p *auth.Principal, page store.Page) ([]store.ChannelStatus, int, error) {
	if !p.CanSomewhere(auth.ChannelManage) {
		return nil, 0, apperr.ErrForbidden
	}
	return s.DB.Channels(ctx, store.ChannelFilter{All: p.Can(auth.ChannelManage, auth.Target{}), Roots: p.Scopes(auth.ChannelManage), Page: page})
}

// Channel loads channel id for p (404 when outside p's regions).
func (s *Service) Channel(ctx context.Context, p *auth.Principal, id int64) (store.ChannelStatus, error) {
	if !p.CanSomewhere(auth.ChannelManage) {
		return store.ChannelStatus{}, apperr.ErrForbidden
	}
	c, err := s.DB.Channel(ctx, id)
	if err != nil {
		return c, err
	}
	if !p.Can(auth.ChannelManage, auth.Target{Region: c.Region}) {
		return store.ChannelStatus{}, apperr.ErrNotFound
	}
	return c, nil
}

// checkRegion refuses a channel region p may not manage, or that does not exist, alike.
func (s *Service) checkRegion(ctx context.Context, p *auth.Principal, code string) error {
	if !p.Can(auth.ChannelManage, auth.Target{Region: code}) {
		return apperr.Field("region", "err.region_unknown")
	}
	if _, err := s.DB.Region(ctx, code); apperr.Is(err, apperr.NotFound) {
		return apperr.Field("region", "err.region_unknown")
	} else if err != nil {
		return err
	}
	return nil
}

// channelAudit is what the audit log keeps of a channel: never its secret or URL credentials.
func channelAudit(c messages.Channel) map[string]any {
	return map[string]any{"kind": c.Kind, "name": c.Name, "url": c.MaskedURL(), "region": c.Region, "events": c.Events, "enabled": c.Enabled}
}

// CreateChannel adds a channel for p's region.
func (s *Service) CreateChannel(ctx context.Context, who store.Actor, p *auth.Principal, c messages.Channel) (messages.Channel, error) {
	if !p.CanSomewhere(auth.ChannelManage) {
		return c, apperr.ErrForbidden
	}
	c.Normalize()
	c.HasSecret = false
	if err := c.Validate(); err != nil {
		return c, err
	}
	if err := s.checkRegion(ctx, p, c.Region); err != nil {
		return c, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.CreateChannel(ctx, &c); err != nil {
			return err
		}
		return tx.Audit(ctx, "channel", c.ID, "create", nil, channelAudit(c))
	})
	c.Secret = ""
	return c, err
}

// ChannelChange is an edit of a channel: nil fields stay as they are; an
// empty URL or secret keeps the stored one (the page never shows them).
type ChannelChange struct {
	Name    *string
	URL     *string
	Secret  *string
	Region  *string
	Events  *[]messages.Event
	Enabled *bool
}

// UpdateChannel changes channel id (404 outside p's regions).
func (s *Service) UpdateChannel(ctx context.Context, who store.Actor, p *auth.Principal, id int64, ch ChannelChange) (messages.Channel, error) {
	old, err := s.Channel(ctx, p, id)
	if err != nil {
		return messages.Channel{}, err
	}
	c := old.Channel
	c.Secret = ""
	if ch.Name != nil {
		c.Name = *ch.Name
	}
	if ch.URL != nil && *ch.URL != "" {
		c.URL = *ch.URL
	}
	if ch.Secret != nil {
		c.Secret = *ch.Secret
	}
	if ch.Region != nil {
		c.Region = *ch.Region
	}
	if ch.Events != nil {
		c.Events = slices.Clone(*ch.Events)
	}
	if ch.Enabled != nil {
		c.Enabled = *ch.Enabled
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.Region != old.Region {
		if err := s.checkRegion(ctx, p, c.Region); err != nil {
			return c, err
		}
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.UpdateChannel(ctx, c); err != nil {
			return err
		}
		after := channelAudit(c)
		if c.Secret != "" {
			after["secret"] = "changed"
		}
		return tx.Audit(ctx, "channel", c.ID, "update", channelAudit(old.Channel), after)
	})
	c.Secret = ""
	return c, err
}

// TestChannel puts a test message for channel id in the outbox; the
// worker sends it like any other (409 for a disabled channel).
func (s *Service) TestChannel(ctx context.Context, who store.Actor, p *auth.Principal, id int64) error {
	c, err := s.Channel(ctx, p, id)
	if err != nil {
		return err
	}
	if !c.Enabled {
		return apperr.New(apperr.Conflict, "err.messages.channel_disabled")
	}
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		ev := notify.Event{Kind: notify.ChannelTest, Record: notify.Record{Kind: "channel", ID: c.ID, Ref: c.Name, Region: c.Region},
			Subject: notify.Subject{Channel: c.ID}, Args: map[string]any{"channel": c.Name, "by": p.Name}}
		if _, err := tx.Notify(ctx, ev); err != nil {
			return err
		}
		return tx.Audit(ctx, "channel", c.ID, "test", nil, nil)
	})
}

// Outbox lists the outbox messages of the channels p manages.
func (s *Service) Outbox(ctx context.Context, p *auth.Principal, status string, channel int64, page store.Page) ([]store.OutboxItem, int, error) {
	if !p.CanSomewhere(auth.ChannelManage) {
		return nil, 0, apperr.ErrForbidden
	}
	if status != "" && !slices.Contains(messages.Statuses, status) {
		return nil, 0, apperr.Field("status", "err.invalid_choice")
	}
	if channel != 0 {
		if _, err := s.Channel(ctx, p, channel); apperr.Is(err, apperr.NotFound) {
			return nil, 0, apperr.Field("channel", "err.messages.channel_unknown")
		} else if err != nil {
			return nil, 0, err
		}
	}
	return s.DB.Outbox(ctx, store.OutboxFilter{All: p.Can(auth.ChannelManage, auth.Target{}), Roots: p.Scopes(auth.ChannelManage),
		Status: status, Channel: channel, Page: page})
}

// outboxItem loads outbox message id for p (404 outside p's channels).
func (s *Service) outboxItem(ctx context.Context, p *auth.Principal, id int64) (store.OutboxItem, error) {
	if !p.CanSomewhere(auth.ChannelManage) {
		return store.OutboxItem{}, apperr.ErrForbidden
	}
	it, err := s.DB.OutboxMessage(ctx, id)
	if err != nil {
		return it, err
	}
	if _, err := s.Channel(ctx, p, it.ChannelID); err != nil {
		return it, apperr.ErrNotFound
	}
	return it, nil
}

// Retry sends a dead (or discarded) message again, with a new day of attempts (409 for others).
func (s *Service) Retry(ctx context.Context, who store.Actor, p *auth.Principal, id int64) error {
	it, err := s.outboxItem(ctx, p, id)
	if err != nil {
		return err
	}
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.RetryOutbox(ctx, it.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "outbox", it.ID, "retry", map[string]any{"status": it.Status, "attempts": it.Attempts}, nil)
	})
}

// Discard gives up a dead message for good (409 for others).
func (s *Service) Discard(ctx context.Context, who store.Actor, p *auth.Principal, id int64) error {
	it, err := s.outboxItem(ctx, p, id)
	if err != nil {
		return err
	}
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.DiscardOutbox(ctx, it.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "outbox", it.ID, "discard", map[string]any{"status": it.Status}, nil)
	})
}

// Settings returns p's own delivery settings.
func (s *Service) Settings(ctx context.Context, p *auth.Principal) (messages.Settings, error) {
	return s.DB.Settings(ctx, p.PersonID)
}

// SaveSettings stores p's own delivery settings.
func (s *Service) SaveSettings(ctx context.Context, who store.Actor, p *auth.Principal, st messages.Settings) (messages.Settings, error) {
	st.Normalize()
	if err := st.Validate(); err != nil {
		return st, err
	}
	return st, s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.SaveSettings(ctx, p.PersonID, st); err != nil {
			return err
		}
		return tx.Audit(ctx, "person", p.PersonID, "settings", nil, map[string]any{"email": st.Email, "kinds": st.Kinds,
			"quiet_from": st.QuietFrom, "quiet_to": st.QuietTo})
	})
}
