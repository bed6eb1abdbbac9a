package verda

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
)

func TestImageDecodesString(t *testing.T) {
	var img Image

	if err := json.Unmarshal([]byte(`"ghcr.io/org/comfy:v1"`), &img); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if img.Image != "ghcr.io/org/comfy:v1" {
		t.Errorf("Image = %q, want ghcr.io/org/comfy:v1", img.Image)
	}
	if img.LastUpdatedAt != "" {
		t.Errorf("LastUpdatedAt = %q, want empty", img.LastUpdatedAt)
	}
}

func TestImageDecodesObject(t *testing.T) {
	var img Image

	err := json.Unmarshal([]byte(`{"image":"ghcr.io/org/comfy:v1","last_updated_at":"2026-01-01T00:00:00.000Z"}`), &img)

	if err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if img.Image != "ghcr.io/org/comfy:v1" {
		t.Errorf("Image = %q, want ghcr.io/org/comfy:v1", img.Image)
	}
	if img.LastUpdatedAt != "2026-01-01T00:00:00.000Z" {
		t.Errorf("LastUpdatedAt = %q, want 2026-01-01T00:00:00.000Z", img.LastUpdatedAt)
	}
}

func TestImageDecodesNull(t *testing.T) {
	img := Image{Image: "old", LastUpdatedAt: "old"}

	if err := json.Unmarshal([]byte(`null`), &img); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if img != (Image{}) {
		t.Errorf("Image = %+v, want the zero value", img)
	}
}

func TestImageRejectsNumber(t *testing.T) {
	var img Image

	if err := json.Unmarshal([]byte(`42`), &img); err == nil {
		t.Errorf("Unmarshal(42) succeeded with %+v, want an error", img)
	}
}

func TestImageEncodesString(t *testing.T) {
	c := Container{Image: Image{Image: "ghcr.io/org/comfy:v1", LastUpdatedAt: "2026-01-01T00:00:00.000Z"}, ExposedPort: 8188}

	data, err := json.Marshal(c)

	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"image":"ghcr.io/org/comfy:v1","exposed_port":8188}`; string(data) != want {
		t.Errorf("Marshal = %s, want %s", data, want)
	}
}

func TestFlexFloatDecodes(t *testing.T) {
	cases := map[string]float64{
		`0.35`:   0.35,
		`12`:     12,
		`"0.35"`: 0.35,
		`"12"`:   12,
		`""`:     0,
		`null`:   0,
	}
	for input, want := range cases {
		t.Run(input, func(t *testing.T) {
			f := FlexFloat(99)
			if err := json.Unmarshal([]byte(input), &f); err != nil {
				t.Fatalf("Unmarshal(%s): %v", input, err)
			}
			if float64(f) != want {
				t.Errorf("Unmarshal(%s) = %v, want %v", input, f, want)
			}
		})
	}
}

func TestFlexFloatRejectsText(t *testing.T) {
	for _, input := range []string{`"fast"`, `true`, `{}`} {
		t.Run(input, func(t *testing.T) {
			var f FlexFloat
			if err := json.Unmarshal([]byte(input), &f); err == nil {
				t.Errorf("Unmarshal(%s) succeeded with %v, want an error", input, f)
			}
		})
	}
}

func TestVolumeTypePriceFromEitherKey(t *testing.T) {
	var types []VolumeType
	data := `[{"type":"NVMe","price":{"price_per_month_per_gb":"0.2","currency":"usd"}},
	          {"type":"HDD","price":{"monthly_per_gb":0.05,"currency":"usd"}}]`

	if err := json.Unmarshal([]byte(data), &types); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if got := types[0].Price.PerGBMonth(); got != 0.2 {
		t.Errorf("NVMe price = %v, want 0.2", got)
	}
	if got := types[1].Price.PerGBMonth(); got != 0.05 {
		t.Errorf("HDD price = %v, want 0.05", got)
	}
}

func TestScalingDecodesNullBlocks(t *testing.T) {
	var s Scaling
	data := `{"min_replica_count":0,"max_replica_count":3,"scale_down_policy":null,"scale_up_policy":null,
	          "queue_message_ttl_seconds":null,"concurrent_requests_per_replica":1,"scaling_triggers":null}`

	if err := json.Unmarshal([]byte(data), &s); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if s.MinReplicaCount == nil || *s.MinReplicaCount != 0 {
		t.Errorf("MinReplicaCount = %v, want 0", s.MinReplicaCount)
	}
	if s.MaxReplicaCount == nil || *s.MaxReplicaCount != 3 {
		t.Errorf("MaxReplicaCount = %v, want 3", s.MaxReplicaCount)
	}
	if s.ScaleDownPolicy != nil {
		t.Errorf("ScaleDownPolicy = %+v, want nil", s.ScaleDownPolicy)
	}
	if s.ScaleUpPolicy != nil {
		t.Errorf("ScaleUpPolicy = %+v, want nil", s.ScaleUpPolicy)
	}
	if s.QueueMessageTTLSeconds != nil {
		t.Errorf("QueueMessageTTLSeconds = %v, want nil", *s.QueueMessageTTLSeconds)
	}
	if s.ScalingTriggers != nil {
		t.Errorf("ScalingTriggers = %+v, want nil", s.ScalingTriggers)
	}
}

func TestScalingDecodesMissingBlocks(t *testing.T) {
	var s Scaling
	data := `{"max_replica_count":2,"scaling_triggers":{"queue_load":null,"gpu_utilization":{"enabled":true,"threshold":0.8}}}`

	if err := json.Unmarshal([]byte(data), &s); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if s.MinReplicaCount != nil {
		t.Errorf("MinReplicaCount = %v, want nil", *s.MinReplicaCount)
	}
	if s.ScaleDownPolicy != nil {
		t.Errorf("ScaleDownPolicy = %+v, want nil", s.ScaleDownPolicy)
	}
	if s.ScalingTriggers == nil {
		t.Fatal("ScalingTriggers = nil, want the sent block")
	}
	if s.ScalingTriggers.QueueLoad != nil {
		t.Errorf("QueueLoad = %+v, want nil", s.ScalingTriggers.QueueLoad)
	}
	if s.ScalingTriggers.CPUUtilization != nil {
		t.Errorf("CPUUtilization = %+v, want nil", s.ScalingTriggers.CPUUtilization)
	}
	gpu := s.ScalingTriggers.GPUUtilization
	if gpu == nil || !gpu.Enabled || gpu.Threshold == nil || *gpu.Threshold != 0.8 {
		t.Errorf("GPUUtilization = %+v, want enabled with threshold 0.8", gpu)
	}
}

func TestScalingDecodesEmptyObject(t *testing.T) {
	var s Scaling

	if err := json.Unmarshal([]byte(`{}`), &s); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if s != (Scaling{}) {
		t.Errorf("Scaling = %+v, want every field nil", s)
	}
}

func TestGetDeploymentDecodesResponse(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{
		  "name": "comfy",
		  "containers": [{
		    "name": "comfy-0",
		    "image": {"image": "ghcr.io/org/comfy:v1", "last_updated_at": "2026-01-01T00:00:00.000Z"},
		    "exposed_port": 8188,
		    "volume_mounts": [{"type": "shared", "mount_path": "/sfs", "volume_id": "vol-1"}]
		  }],
		  "endpoint_base_url": "https://containers.datacrunch.io/comfy",
		  "compute": {"name": "H100", "size": 1},
		  "container_registry_settings": {"is_private": false, "credentials": null},
		  "is_spot": true,
		  "scaling": null,
		  "unknown_field": 1
		}`)
	})
	c, _ := newTestClient(t, f, Config{})

	d, err := c.GetDeployment(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	if len(d.Containers) != 1 {
		t.Fatalf("containers = %d, want 1", len(d.Containers))
	}
	if got := d.Containers[0].Image.Image; got != "ghcr.io/org/comfy:v1" {
		t.Errorf("image = %q, want ghcr.io/org/comfy:v1", got)
	}
	if got := d.Containers[0].VolumeMounts[0].VolumeID; got != "vol-1" {
		t.Errorf("volume_id = %q, want vol-1", got)
	}
	if d.Compute != (Compute{Name: "H100", Size: 1}) {
		t.Errorf("compute = %+v, want H100 x1", d.Compute)
	}
	if !d.IsSpot {
		t.Error("is_spot = false, want true")
	}
	if d.Scaling != nil {
		t.Errorf("scaling = %+v, want nil", d.Scaling)
	}
	if d.ContainerRegistrySettings == nil || d.ContainerRegistrySettings.Credentials != nil {
		t.Errorf("registry settings = %+v, want present with null credentials", d.ContainerRegistrySettings)
	}
}

func TestCreateVolumeReadsPlainTextID(t *testing.T) {
	const id = "7d3f0e52-9a41-4d2c-8f0a-5b6c1e2d3f40"
	for name, body := range map[string]string{
		"bare":            id,
		"trailing space":  id + "\n",
		"quoted":          `"` + id + `"`,
		"quoted and line": `"` + id + `"` + "\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, body)
			})
			c, _ := newTestClient(t, f, Config{})

			got, err := c.CreateVolume(testContext(t), CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 50, LocationCode: "FIN-03"})

			if err != nil {
				t.Fatalf("CreateVolume: %v", err)
			}
			if got != id {
				t.Errorf("id = %q, want %q", got, id)
			}
			r := f.apiRequests()[0]
			if r.Method != http.MethodPost || r.RequestURI != "/v1/volumes" {
				t.Errorf("request = %s %s, want POST /v1/volumes", r.Method, r.RequestURI)
			}
			if want := `{"type":"NVMe_Shared","name":"models","size":50,"location_code":"FIN-03"}`; r.Body != want {
				t.Errorf("body = %s, want %s", r.Body, want)
			}
		})
	}
}

func TestCreateVolumeWithoutIDFails(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.CreateVolume(testContext(t), CreateVolumeRequest{Type: "NVMe", Name: "models", Size: 50})

	if err == nil {
		t.Fatal("CreateVolume succeeded without an id")
	}
	if want := `create volume "models": the create response has no volume id`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestCloneVolumeDecodesArray(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusAccepted, []string{"vol-clone-1", "vol-clone-2"})
	})
	c, _ := newTestClient(t, f, Config{})

	ids, err := c.CloneVolume(testContext(t), "vol-1", CloneVolumeRequest{Name: "copy", Type: "NVMe"})

	if err != nil {
		t.Fatalf("CloneVolume: %v", err)
	}
	if !slices.Equal(ids, []string{"vol-clone-1", "vol-clone-2"}) {
		t.Errorf("ids = %v, want [vol-clone-1 vol-clone-2]", ids)
	}
	r := f.apiRequests()[0]
	if r.Method != http.MethodPut {
		t.Errorf("method = %s, want PUT", r.Method)
	}
	if want := `{"id":"vol-1","action":"clone","name":"copy","type":"NVMe"}`; r.Body != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}
}

func TestDeleteVolumeSendsPermanentFlag(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	c, _ := newTestClient(t, f, Config{})
	ctx := testContext(t)

	if err := c.DeleteVolume(ctx, "vol-1", false); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	if err := c.DeleteVolume(ctx, "vol-1", true); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}

	requests := f.apiRequests()
	if want := `{"id":"vol-1","action":"delete","is_permanent":false}`; requests[0].Body != want {
		t.Errorf("trash body = %s, want %s", requests[0].Body, want)
	}
	if want := `{"id":"vol-1","action":"delete","is_permanent":true}`; requests[1].Body != want {
		t.Errorf("permanent body = %s, want %s", requests[1].Body, want)
	}
}

func TestGetReplicasDecodesList(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"list": []map[string]string{{"id": "r1", "status": "running"}}})
	})
	c, _ := newTestClient(t, f, Config{})

	replicas, err := c.GetReplicas(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetReplicas: %v", err)
	}
	if len(replicas) != 1 || replicas[0].ID != "r1" {
		t.Errorf("replicas = %+v, want one with id r1", replicas)
	}
}

func TestVolumeInstanceIDsMergesFields(t *testing.T) {
	v := Volume{InstanceID: "i-1", Instances: []VolumeInstance{{ID: "i-1"}, {ID: "i-2"}, {ID: ""}}}

	if got := v.InstanceIDs(); !slices.Equal(got, []string{"i-1", "i-2"}) {
		t.Errorf("InstanceIDs = %v, want [i-1 i-2]", got)
	}
}
