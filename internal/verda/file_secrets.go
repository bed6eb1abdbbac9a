package verda

import "context"

// FileSecret is a stored secret that a container mounts as files. The API
// never returns the file contents.
type FileSecret struct {
	Name       string   `json:"name"`
	CreatedAt  string   `json:"created_at"`
	SecretType string   `json:"secret_type"`
	FileNames  []string `json:"file_names"`
}

// ListFileSecrets returns the account's file secrets, without their contents.
func (c *Client) ListFileSecrets(ctx context.Context) ([]FileSecret, error) {
	var out []FileSecret
	err := c.do(ctx, call{operation: "list file secrets", method: "GET", path: "/file-secrets", out: &out})
	return out, err
}
