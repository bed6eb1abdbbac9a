package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// ---- /history ----

const maxHistoryEntries = 10000

// history implements GET /history[?max_items=N&offset=K], oldest first.
func (ctx *comfyContext) history(query url.Values) (response, *apiError) {
	order := ctx.d.Comfy.HistoryOrder
	maxItems, hasMax := -1, false
	if raw := query.Get("max_items"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return errorResponse(badRequest("max_items must be an integer (got %q)", raw))
		}
		maxItems, hasMax = n, true
	}
	offset := -1
	if raw := query.Get("offset"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return errorResponse(badRequest("offset must be an integer (got %q)", raw))
		}
		offset = n
	}
	if offset < 0 {
		offset = 0
		if hasMax {
			offset = max(len(order)-maxItems, 0)
		}
	}
	end := len(order)
	if hasMax && maxItems >= 0 {
		end = min(offset+maxItems, len(order))
	}
	var selected []string
	if offset < end {
		selected = order[offset:end]
	}
	return rawResponse(http.StatusOK, contentTypeJSON, ctx.renderHistory(selected))
}

// historyEntry implements GET /history/{id}: {} with 200 for an unknown id.
func (ctx *comfyContext) historyEntry(id string) (response, *apiError) {
	if _, ok := ctx.d.Comfy.History[id]; !ok {
		return jsonResponse(http.StatusOK, map[string]any{})
	}
	return rawResponse(http.StatusOK, contentTypeJSON, ctx.renderHistory([]string{id}))
}

// renderHistory writes the entries as one JSON object in submission order, which a Go map would lose.
func (ctx *comfyContext) renderHistory(ids []string) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(id)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(ctx.d.Comfy.History[id])
	}
	buf.WriteString("}\n")
	return buf.Bytes()
}

// changeHistory implements POST /history with {"clear": true} or {"delete": [ids]}.
func (ctx *comfyContext) changeHistory(body []byte) (response, *apiError) {
	var req struct {
		Clear  bool     `json:"clear"`
		Delete []string `json:"delete"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeJSONBytes(body, &req); err != nil {
			return errorResponse(err)
		}
	}
	if req.Clear {
		ctx.d.Comfy.History = nil
		ctx.d.Comfy.HistoryOrder = nil
	}
	for _, id := range req.Delete {
		delete(ctx.d.Comfy.History, id)
		ctx.d.Comfy.HistoryOrder = slices.DeleteFunc(ctx.d.Comfy.HistoryOrder, func(h string) bool { return h == id })
	}
	ctx.st.touch()
	return emptyResponse(http.StatusOK)
}

func (ctx *comfyContext) addHistory(id string, entry json.RawMessage) {
	if ctx.d.Comfy.History == nil {
		ctx.d.Comfy.History = map[string]json.RawMessage{}
	}
	if _, exists := ctx.d.Comfy.History[id]; !exists {
		ctx.d.Comfy.HistoryOrder = append(ctx.d.Comfy.HistoryOrder, id)
	}
	ctx.d.Comfy.History[id] = entry
	for len(ctx.d.Comfy.HistoryOrder) > maxHistoryEntries {
		delete(ctx.d.Comfy.History, ctx.d.Comfy.HistoryOrder[0])
		ctx.d.Comfy.HistoryOrder = ctx.d.Comfy.HistoryOrder[1:]
	}
	ctx.st.touch()
}
