package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The control plane under /_emulator/ steers the emulator over HTTP. Each handler is the twin of one Go
// API method; routes.go lists them.

// controlError maps an error of a Go API method to the envelope, keeping the status of an *apiError.
func controlError(err error) *apiError {
	if err == nil {
		return nil
	}
	var apiErr *apiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return badRequest("%v", err)
}

func controlDone(err error) (response, *apiError) {
	if apiErr := controlError(err); apiErr != nil {
		return errorResponse(apiErr)
	}
	return emptyResponse(http.StatusNoContent)
}

func readControlBody(r *http.Request) ([]byte, *apiError) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxControlFileBodyBytes+1))
	if err != nil {
		return nil, badRequest("reading the request body failed: %v", err)
	}
	if len(data) > maxControlFileBodyBytes {
		return nil, newAPIError(http.StatusRequestEntityTooLarge, codeInvalidRequest, "request body is larger than %d bytes", maxControlFileBodyBytes)
	}
	return data, nil
}

// handleControlReset implements POST /_emulator/reset.
func (e *Emulator) handleControlReset(*http.Request) (response, *apiError) {
	e.Reset()
	return emptyResponse(http.StatusNoContent)
}

// handleControlSeed implements POST /_emulator/seed with a snapshot body, or ?fixture=production.
func (e *Emulator) handleControlSeed(r *http.Request) (response, *apiError) {
	var data []byte
	switch fixture := r.URL.Query().Get("fixture"); fixture {
	case "production":
		data = ProductionSeed()
	case "":
		body, err := readControlBody(r)
		if err != nil {
			return errorResponse(err)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return errorResponse(badRequest("send a snapshot as the body or name a fixture with ?fixture=production"))
		}
		data = body
	default:
		return errorResponse(notFound("fixture %q not found; the only embedded fixture is production", fixture))
	}
	return controlDone(e.LoadSeed(data))
}

// handleControlState implements GET /_emulator/state.
func (e *Emulator) handleControlState(*http.Request) (response, *apiError) {
	var data []byte
	var err error
	e.read(func(st *state) { data, err = marshalSnapshot(st) })
	if err != nil {
		return errorResponse(serverError("encoding the state failed: %v", err))
	}
	return rawResponse(http.StatusOK, contentTypeJSON, data)
}

// wireFault is the JSON form of a Fault. Delay is a Go duration string ("150ms") or milliseconds.
type wireFault struct {
	Method         string          `json:"method"`
	Path           string          `json:"path"`
	Count          int             `json:"count"`
	Status         int             `json:"status"`
	RetryAfter     string          `json:"retry_after,omitempty"`
	Delay          json.RawMessage `json:"delay,omitempty"`
	Drop           bool            `json:"drop,omitempty"`
	CommitThenFail bool            `json:"commit_then_fail,omitempty"`
}

func parseDelay(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return time.ParseDuration(text)
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, fmt.Errorf("delay must be a duration string such as \"150ms\" or a number of milliseconds")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// handleControlAddFault implements POST /_emulator/faults.
func (e *Emulator) handleControlAddFault(r *http.Request) (response, *apiError) {
	var req wireFault
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	delay, err := parseDelay(req.Delay)
	if err != nil {
		return errorResponse(badRequest("delay is invalid: %v", err))
	}
	if delay < 0 {
		return errorResponse(badRequest("delay must not be negative (got %s); use a duration such as \"150ms\"", delay))
	}
	if req.Status != 0 && (req.Status < 100 || req.Status > 599) {
		return errorResponse(badRequest("status must be an HTTP status between 100 and 599 (got %d)", req.Status))
	}
	if req.Status == 0 && delay == 0 && !req.Drop && !req.CommitThenFail {
		return errorResponse(badRequest("the fault does nothing; set status, delay, drop or commit_then_fail"))
	}
	e.AddFault(Fault{
		Method: strings.ToUpper(req.Method), Path: req.Path, Count: req.Count, Status: req.Status,
		RetryAfter: req.RetryAfter, Delay: delay, Drop: req.Drop, CommitThenFail: req.CommitThenFail,
	})
	return emptyResponse(http.StatusNoContent)
}

// handleControlListFaults implements GET /_emulator/faults.
func (e *Emulator) handleControlListFaults(*http.Request) (response, *apiError) {
	out := []wireFault{}
	for _, f := range e.Faults() {
		delay, _ := json.Marshal(f.Delay.String())
		out = append(out, wireFault{Method: f.Method, Path: f.Path, Count: f.Count, Status: f.Status, RetryAfter: f.RetryAfter,
			Delay: delay, Drop: f.Drop, CommitThenFail: f.CommitThenFail})
	}
	return jsonResponse(http.StatusOK, out)
}

// handleControlClearFaults implements DELETE /_emulator/faults.
func (e *Emulator) handleControlClearFaults(*http.Request) (response, *apiError) {
	e.ClearFaults()
	return emptyResponse(http.StatusNoContent)
}

type wireRequestRecord struct {
	Seq    int    `json:"seq"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Time   string `json:"time"`
}

// handleControlRequests implements GET /_emulator/requests[?mutating=true].
func (e *Emulator) handleControlRequests(r *http.Request) (response, *apiError) {
	records := e.Requests()
	if r.URL.Query().Get("mutating") == "true" {
		records = e.MutatingRequests()
	}
	out := make([]wireRequestRecord, 0, len(records))
	for _, rec := range records {
		out = append(out, wireRequestRecord{Seq: rec.Seq, Method: rec.Method, Path: rec.Path, Query: rec.Query,
			Status: rec.Status, Body: rec.Body, Time: formatTime(rec.Time)})
	}
	return jsonResponse(http.StatusOK, out)
}

// handleControlCountRequests implements GET /_emulator/requests/count?method=&path=.
func (e *Emulator) handleControlCountRequests(r *http.Request) (response, *apiError) {
	pattern := r.URL.Query().Get("path")
	if pattern == "" {
		return errorResponse(badRequest("query parameter path is required, for example ?path=/v1/volumes/*"))
	}
	count := e.CountRequests(r.URL.Query().Get("method"), pattern)
	return jsonResponse(http.StatusOK, map[string]int{"count": count})
}

// handleControlClearRequests implements DELETE /_emulator/requests.
func (e *Emulator) handleControlClearRequests(*http.Request) (response, *apiError) {
	e.ClearRequests()
	return emptyResponse(http.StatusNoContent)
}

// handleControlSetImage implements PUT /_emulator/images with {"image": ..., "behavior": {...}}.
func (e *Emulator) handleControlSetImage(r *http.Request) (response, *apiError) {
	var req struct {
		Image    *string       `json:"image"`
		Behavior ImageBehavior `json:"behavior"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Image == nil || *req.Image == "" {
		return errorResponse(nullOrUndefined("image"))
	}
	e.SetImageBehavior(*req.Image, req.Behavior)
	return emptyResponse(http.StatusNoContent)
}

// handleControlSetCompute implements PUT /_emulator/compute with {"name", "size", "is_available"}.
func (e *Emulator) handleControlSetCompute(r *http.Request) (response, *apiError) {
	var req struct {
		Name        *string `json:"name"`
		Size        *int    `json:"size"`
		IsAvailable *bool   `json:"is_available"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	switch {
	case req.Name == nil || *req.Name == "":
		return errorResponse(nullOrUndefined("name"))
	case req.Size == nil || *req.Size < 1:
		return errorResponse(badRequest("size must be an integer of at least 1"))
	case req.IsAvailable == nil:
		return errorResponse(nullOrUndefined("is_available"))
	}
	e.SetComputeAvailable(*req.Name, *req.Size, *req.IsAvailable)
	return emptyResponse(http.StatusNoContent)
}

// handleControlDeleteDelay implements PUT /_emulator/delete-delay with {"polls": N}.
func (e *Emulator) handleControlDeleteDelay(r *http.Request) (response, *apiError) {
	var req struct {
		Polls *int `json:"polls"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Polls == nil || *req.Polls < 0 {
		return errorResponse(badRequest("polls must be an integer of at least 0"))
	}
	e.SetDeleteDelay(*req.Polls)
	return emptyResponse(http.StatusNoContent)
}

// handleControlDeploymentStatus implements GET /_emulator/deployments/{name}/status.
func (e *Emulator) handleControlDeploymentStatus(r *http.Request) (response, *apiError) {
	status, err := e.DeploymentStatus(r.PathValue("name"))
	if err != nil {
		return errorResponse(controlError(err))
	}
	return jsonResponse(http.StatusOK, wireStatus{Status: status})
}

// handleControlForceStatus implements POST /_emulator/deployments/{name}/force-status with {"status": ...}.
func (e *Emulator) handleControlForceStatus(r *http.Request) (response, *apiError) {
	var req struct {
		Status *string `json:"status"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Status == nil {
		return errorResponse(nullOrUndefined("status"))
	}
	return controlDone(e.ForceStatus(r.PathValue("name"), *req.Status))
}

// handleControlDeleteDeployment implements DELETE /_emulator/deployments/{name}.
func (e *Emulator) handleControlDeleteDeployment(r *http.Request) (response, *apiError) {
	return controlDone(e.DeleteDeploymentOutOfBand(r.PathValue("name")))
}

// handleControlPatchDeployment implements PATCH /_emulator/deployments/{name}.
func (e *Emulator) handleControlPatchDeployment(r *http.Request) (response, *apiError) {
	body, err := readControlBody(r)
	if err != nil {
		return errorResponse(err)
	}
	return controlDone(e.PatchDeploymentOutOfBand(r.PathValue("name"), body))
}

// handleControlDeleteVolume implements DELETE /_emulator/volumes/{id}.
func (e *Emulator) handleControlDeleteVolume(r *http.Request) (response, *apiError) {
	return controlDone(e.DeleteVolumeOutOfBand(r.PathValue("id")))
}

// handleControlPatchVolume implements PATCH /_emulator/volumes/{id}.
func (e *Emulator) handleControlPatchVolume(r *http.Request) (response, *apiError) {
	body, err := readControlBody(r)
	if err != nil {
		return errorResponse(err)
	}
	return controlDone(e.PatchVolumeOutOfBand(r.PathValue("id"), body))
}

// handleControlListFiles implements GET /_emulator/volumes/{id}/files.
func (e *Emulator) handleControlListFiles(r *http.Request) (response, *apiError) {
	files, err := e.Files(r.PathValue("id"))
	if err != nil {
		return errorResponse(controlError(err))
	}
	return jsonResponse(http.StatusOK, files)
}

// handleControlPutFile implements PUT /_emulator/volumes/{id}/files/{path...}.
func (e *Emulator) handleControlPutFile(r *http.Request) (response, *apiError) {
	body, err := readControlBody(r)
	if err != nil {
		return errorResponse(err)
	}
	return controlDone(e.PutFile(r.PathValue("id"), r.PathValue("path"), body))
}

// handleControlGetFile implements GET /_emulator/volumes/{id}/files/{path...}.
func (e *Emulator) handleControlGetFile(r *http.Request) (response, *apiError) {
	content, err := e.fileContent(r.PathValue("id"), r.PathValue("path"))
	if err != nil {
		return errorResponse(controlError(err))
	}
	resp, _ := rawResponse(http.StatusOK, contentTypeOctetStream, content)
	resp.Header = http.Header{"Content-Length": {strconv.Itoa(len(content))}}
	return resp, nil
}

// ---- out-of-band deployment changes ----

// DeleteDeploymentOutOfBand removes a deployment at once, as if someone deleted it outside the client
// under test.
func (e *Emulator) DeleteDeploymentOutOfBand(name string) error {
	return asError(e.do(func(st *state) *apiError {
		if _, ok := st.deployments[name]; !ok {
			return notFound("container deployment %q not found", name)
		}
		st.removeDeployment(name)
		return nil
	}))
}

// PatchDeploymentOutOfBand applies a body in the PATCH /v1/container-deployments/{name} format, scaling
// included, as if someone changed the deployment outside the client under test. Containers may change
// names, and the status does not change.
func (e *Emulator) PatchDeploymentOutOfBand(name string, patch []byte) error {
	var req wireDeploymentRequest
	if err := decodeJSONBytes(patch, &req); err != nil {
		return err
	}
	return asError(e.do(func(st *state) *apiError {
		d, ok := st.deployments[name]
		if !ok {
			return notFound("container deployment %q not found", name)
		}
		return st.patchDeployment(d, &req, false)
	}))
}
