package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

func TestSFSReady_statuses(t *testing.T) {
	cases := []struct {
		status  string
		done    bool
		wantErr bool
	}{
		{"created", true, false},
		{"attached", true, false},
		{"detached", true, false},
		{"ordered", false, false},
		{"creating", false, false},
		{"cloning", false, false},
		{"restoring", false, false},
		{"deleted", false, true},
		{"canceled", false, true},
		{"exported", false, true},
		{"", false, true},
	}
	for _, c := range cases {
		done, err := sfsReady(&verda.Volume{Status: c.status})
		if done != c.done {
			t.Errorf("status %q: done = %t, want %t", c.status, done, c.done)
		}
		if (err != nil) != c.wantErr {
			t.Errorf("status %q: error = %v, want error %t", c.status, err, c.wantErr)
		}
	}
}

func TestSFSReplaceReasons_rules(t *testing.T) {
	base := sfsResourceModel{}
	base.Type = types.StringValue("NVMe_Shared")
	base.Location = types.StringValue("FIN-03")
	base.SourceVolumeID = types.StringNull()

	cases := []struct {
		name   string
		edit   func(config, plan *sfsResourceModel)
		reason string
	}{
		{"unchanged", func(config, plan *sfsResourceModel) {}, ""},
		{"type", func(config, plan *sfsResourceModel) {
			plan.Type = types.StringValue("HDD_Shared")
		}, `type from "NVMe_Shared" to "HDD_Shared"`},
		{"location set to another", func(config, plan *sfsResourceModel) {
			config.Location = types.StringValue("FIN-01")
			plan.Location = types.StringValue("FIN-01")
		}, `location from "FIN-03" to "FIN-01"`},
		{"location unknown in config", func(config, plan *sfsResourceModel) {
			config.Location = types.StringUnknown()
			plan.Location = types.StringUnknown()
		}, `location from "FIN-03" to <unknown>`},
		{"location left unset", func(config, plan *sfsResourceModel) {
			config.Location = types.StringNull()
		}, ""},
		{"source added after creation", func(config, plan *sfsResourceModel) {
			plan.SourceVolumeID = types.StringValue("a")
		}, ""},
	}
	for _, c := range cases {
		config, plan := base, base
		c.edit(&config, &plan)
		got := strings.Join(sfsReplaceReasons(config, plan, base), "; ")
		if got != c.reason {
			t.Errorf("%s: reasons %q, want %q", c.name, got, c.reason)
		}
	}

	state := base
	state.SourceVolumeID = types.StringValue("a")
	plan := state
	plan.SourceVolumeID = types.StringValue("b")
	if got := sfsReplaceReasons(plan, plan, state); len(got) != 1 || !strings.HasPrefix(got[0], "source_volume_id") {
		t.Errorf("another source: reasons %q, want one source_volume_id reason", got)
	}
	plan.SourceVolumeID = types.StringNull()
	if got := sfsReplaceReasons(plan, plan, state); len(got) != 0 {
		t.Errorf("source removed: reasons %q, want none", got)
	}
}

func TestSFSQuoteList_limit(t *testing.T) {
	if got := sfsQuoteList([]string{"a", "b"}, 5); got != `"a", "b"` {
		t.Errorf("got %s", got)
	}
	if got := sfsQuoteList([]string{"a", "b", "c"}, 2); got != `"a", "b", and 1 more` {
		t.Errorf("got %s", got)
	}
}

func TestSFSPollDelay_jitter(t *testing.T) {
	for range 200 {
		d := sfsPollDelay(100 * time.Millisecond)
		if d < 90*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("delay %v is outside [90ms, 100ms]", d)
		}
	}
}

// A wait ends at its deadline, not at its next poll, and names the last status.
func TestSFSWait_deadline(t *testing.T) {
	srv := emulator.NewTestServer(t, emulator.Options{StagePolls: 1 << 30})
	client, err := verda.New(verda.Config{
		BaseURL: srv.BaseURL, ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.CreateVolume(context.Background(), verda.CreateVolumeRequest{Name: "slow", Type: "NVMe_Shared", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	pd := newProviderData(client, time.Hour)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	v, err := waitSFSReady(ctx, pd, id)
	elapsed := time.Since(start)

	if !errors.Is(err, errSFSWaitTimeout) {
		t.Fatalf("expected a timeout error, got %v", err)
	}
	if !strings.Contains(err.Error(), `last status was "ordered"`) {
		t.Errorf("expected the last status in %q", err)
	}
	if v == nil || v.ID != id {
		t.Errorf("expected the last volume read, got %+v", v)
	}
	if elapsed > 2*time.Second {
		t.Errorf("the wait took %v after a 200ms deadline", elapsed)
	}
}

func TestSFSWait_cancel(t *testing.T) {
	srv := emulator.NewTestServer(t, emulator.Options{StagePolls: 1 << 30})
	client, err := verda.New(verda.Config{
		BaseURL: srv.BaseURL, ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.CreateVolume(context.Background(), verda.CreateVolumeRequest{Name: "slow", Type: "NVMe_Shared", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	pd := newProviderData(client, time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = waitSFSReady(ctx, pd, id)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("expected a cancellation error, got %v", err)
	}
	if errors.Is(err, errSFSWaitTimeout) {
		t.Errorf("a cancellation is not a timeout: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the wait took %v after cancellation", elapsed)
	}
}
