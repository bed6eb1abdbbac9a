package verda

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzDecodeResponses feeds arbitrary bytes to every response type the client
// decodes. Decoding may fail, but must never panic, and a value that decodes
// must encode again.
func FuzzDecodeResponses(f *testing.F) {
	seeds := []string{
		`{"name":"d","containers":[{"name":"c-0","image":{"image":"i:1","last_updated_at":"2026-01-01T00:00:00Z"},"exposed_port":8188}],"compute":{"name":"H200","size":1},"is_spot":true}`,
		`{"name":"d","containers":[{"image":"i:1"}],"container_registry_settings":{"is_private":false,"credentials":null}}`,
		`{"min_replica_count":0,"max_replica_count":3,"scale_down_policy":null,"scaling_triggers":{"queue_load":{"threshold":1.5},"cpu_utilization":{"enabled":true,"threshold":0.8}}}`,
		`[{"id":"v","size":50,"pseudo_path":null,"monthly_price":"12.5","instances":null}]`,
		`{"list":[{"id":"r","status":"running"}]}`,
		`[{"type":"NVMe_Shared","price":{"monthly_per_gb":0.2},"is_shared_fs":true}]`,
		`{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":3600,"scope":"read write"}`,
		`null`, `[]`, `{}`, `"text"`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []any{
			&ContainerDeployment{}, &[]ContainerDeployment{}, &Scaling{}, &Volume{}, &[]Volume{},
			&[]TrashedVolume{}, &[]VolumeType{}, &[]ComputeResource{}, &[]Location{}, &tokenResponse{},
			&struct {
				List []Replica `json:"list"`
			}{},
		}
		for _, target := range targets {
			if json.Unmarshal(data, target) != nil {
				continue
			}
			if _, err := json.Marshal(target); err != nil {
				t.Fatalf("%T decoded from %q but does not encode: %v", target, data, err)
			}
		}
	})
}

// FuzzParseRetryAfter checks that any header value yields either no wait or
// a wait between zero and 24 hours.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"2", "0", "-1", "3600", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, value string) {
		wait, ok := parseRetryAfter(value, now)
		if !ok {
			if wait != 0 {
				t.Fatalf("parseRetryAfter(%q) = %v, false; want a zero wait when not ok", value, wait)
			}
			return
		}
		if wait < 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, a negative wait", value, wait)
		}
		if wait > 24*time.Hour {
			t.Fatalf("parseRetryAfter(%q) = %v, above the 24 h cap", value, wait)
		}
	})
}
