package lang

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Repository is a `repository "name"` block: a StarRocks backup repository
// (STARROCKS.md 6.1) that method "backup" moves data through. srplan
// creates it on the source (writable) and on the target (READ ONLY) when
// missing, with the same name and location, so the target sees the
// source's snapshots.
type Repository struct {
	// Name is the repository name on both clusters (the block label).
	Name string
	// Storage names the storage block holding the repository files; its
	// credentials and endpoint become the repository's properties.
	Storage string
	// Path is the sub-directory of the storage's URL the repository lives
	// in ('/'-separated, relative, no "." or ".." segments; default
	// "backups"). The location is the storage URL + "/" + Path.
	Path string
	// Properties are extra CREATE REPOSITORY properties, added to the
	// storage's own (aws.s3.region, aws.s3.endpoint, keys). They must not
	// carry credentials: put those on the storage block.
	Properties map[string]string
	// Cleanup (attribute `cleanup`, default false) makes srplan delete a
	// snapshot's files from the repository once every partition recorded
	// with that snapshot is copied and verified. StarRocks cannot drop a
	// snapshot itself (STARROCKS.md 6.1), so without it the snapshots stay
	// until someone removes them. A snapshot a partition still needs (one
	// failed, unverified or in progress) is never deleted.
	Cleanup   bool
	DeclRange hcl.Range
}

// DefaultRepositoryPath is the Path of a repository block without one.
const DefaultRepositoryPath = "backups"

// repositoryBody is the body of a repository block.
type repositoryBody struct {
	Storage    hcl.Expression `hcl:"storage,optional"`
	Path       hcl.Expression `hcl:"path,optional"`
	Properties hcl.Expression `hcl:"properties,optional"`
	Cleanup    hcl.Expression `hcl:"cleanup,optional"`
}

// decodeRepository decodes one `repository "name"` block; storages must
// be decoded already.
func (d *decoder) decodeRepository(b *hcl.Block, cfg *Config, first map[string]hcl.Range) *Repository {
	name := b.Labels[0]
	if !d.blockName(b, "repository", name, 0, first) {
		return nil
	}
	r := &Repository{Name: name, Path: DefaultRepositoryPath, DeclRange: b.DefRange}
	var raw repositoryBody
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	r.Storage = d.ref(raw.Storage, "storage", "storage", sortedKeys(cfg.Storages), b.DefRange)
	p, ok, diags := d.scope.str(raw.Path, "path")
	d.add(diags)
	if ok {
		if msg := checkRepositoryPath(p); msg != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid repository path", msg, raw.Path.Range())})
		} else {
			r.Path = strings.Trim(p, "/")
		}
	}
	props, _, diags := d.scope.strMap(raw.Properties, "properties")
	d.add(diags)
	for _, k := range sortedKeys(props) {
		if credentialProperty(k) {
			d.add(hcl.Diagnostics{errorDiag("Credential in repository properties",
				fmt.Sprintf("The property %q holds a credential, which srplan takes from the repository's storage block (access_key, secret_key) so that it never appears in the spec. Remove it here and set it on storage %q.", k, r.Storage),
				objectItemRange(raw.Properties, k))})
			delete(props, k)
		}
	}
	r.Properties = props
	cleanup, _, diags := d.scope.boolean(raw.Cleanup, "cleanup")
	d.add(diags)
	r.Cleanup = cleanup
	return r
}

// checkRepositoryPath returns "" for a usable repository path, or why not.
func checkRepositoryPath(p string) string {
	t := strings.Trim(p, "/")
	if t == "" {
		return "The path names the repository's directory inside the storage, such as \"backups\"; it cannot be empty."
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "://") {
		return fmt.Sprintf("The path %q must be relative to the storage's url, such as \"backups\"; the storage block says where the files live.", p)
	}
	for _, seg := range strings.Split(t, "/") {
		if seg == "" || seg == "." || seg == ".." || path.Clean(seg) != seg {
			return fmt.Sprintf("The path %q has an empty, \".\" or \"..\" segment. Write it as plain directory names separated by '/', such as \"backups/prod\".", p)
		}
	}
	return ""
}

// credentialProperty reports whether a repository property key names a
// secret (an access key, secret key, password or token).
func credentialProperty(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"secret", "password", "access_key", "access.key", "token"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// checkTableRepository validates a table's repository against its method:
// method "backup" needs one; method "auto" takes it as permission to use
// BACKUP/RESTORE where the clusters allow it; other methods never use it.
func (d *decoder) checkTableRepository(t *Table, raw tableBody, blockRange hcl.Range) {
	switch {
	case t.Method == MethodBackup && t.Repository == "" && absent(raw.Repository):
		d.add(hcl.Diagnostics{errorDiag("Missing repository",
			"Method \"backup\" moves data through a StarRocks backup repository: declare a repository \"NAME\" { storage = storage.NAME } block and set repository = repository.NAME on the table.",
			blockRange)})
	case (t.Method == MethodExport || t.Method == MethodFiles) && !absent(raw.Repository):
		d.add(hcl.Diagnostics{errorDiag("Repository not used",
			fmt.Sprintf("Method %q copies through staged files and never uses a backup repository. Set method = \"backup\" (or \"auto\", which uses it when both clusters are shared-nothing), or remove repository.", t.Method),
			raw.Repository.Range())})
	}
}
