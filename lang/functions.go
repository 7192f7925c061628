package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxFileSize bounds what file() reads: it is meant for passwords, keys
// and small snippets, not data.
const maxFileSize = 1 << 20

// functions returns the functions available in spec expressions: a curated
// part of the cty standard library with Terraform's names, try and can,
// plus env and file bound to opts.
func functions(specDir string, opts LoadOptions) map[string]function.Function {
	return map[string]function.Function{
		// strings
		"upper":         stdlib.UpperFunc,
		"lower":         stdlib.LowerFunc,
		"title":         stdlib.TitleFunc,
		"format":        stdlib.FormatFunc,
		"formatlist":    stdlib.FormatListFunc,
		"join":          stdlib.JoinFunc,
		"split":         stdlib.SplitFunc,
		"replace":       stdlib.ReplaceFunc,
		"regex_replace": stdlib.RegexReplaceFunc,
		"trim":          stdlib.TrimFunc,
		"trimspace":     stdlib.TrimSpaceFunc,
		"trimprefix":    stdlib.TrimPrefixFunc,
		"trimsuffix":    stdlib.TrimSuffixFunc,
		"substr":        stdlib.SubstrFunc,
		"strlen":        stdlib.StrlenFunc,
		"regex":         stdlib.RegexFunc,
		"regexall":      stdlib.RegexAllFunc,
		"formatdate":    stdlib.FormatDateFunc,
		// collections
		"concat":       stdlib.ConcatFunc,
		"length":       lengthFunc,
		"contains":     stdlib.ContainsFunc,
		"coalesce":     coalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc,
		"compact":      stdlib.CompactFunc,
		"lookup":       stdlib.LookupFunc,
		"merge":        stdlib.MergeFunc,
		"keys":         stdlib.KeysFunc,
		"values":       stdlib.ValuesFunc,
		"element":      stdlib.ElementFunc,
		"slice":        stdlib.SliceFunc,
		"sort":         stdlib.SortFunc,
		"reverse":      stdlib.ReverseListFunc,
		"range":        stdlib.RangeFunc,
		"flatten":      stdlib.FlattenFunc,
		"distinct":     stdlib.DistinctFunc,
		"zipmap":       stdlib.ZipmapFunc,
		// numbers
		"min":   stdlib.MinFunc,
		"max":   stdlib.MaxFunc,
		"abs":   stdlib.AbsoluteFunc,
		"ceil":  stdlib.CeilFunc,
		"floor": stdlib.FloorFunc,
		// conversions and encodings
		"tostring":   stdlib.MakeToFunc(cty.String),
		"tonumber":   stdlib.MakeToFunc(cty.Number),
		"tobool":     stdlib.MakeToFunc(cty.Bool),
		"tolist":     stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":      stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"jsonencode": stdlib.JSONEncodeFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		// error handling
		"try": tryfunc.TryFunc,
		"can": tryfunc.CanFunc,
		// the outside world
		"env":  envFunc(opts.Env),
		"file": fileFunc(specDir, opts.AllowFS),
	}
}

// lengthFunc is Terraform's length: characters of a string, elements of a
// collection.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of characters in a string or elements in a collection.",
	Params: []function.Parameter{{
		Name:             "value",
		Type:             cty.DynamicPseudoType,
		AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty == cty.String, ty == cty.DynamicPseudoType,
			ty.IsListType(), ty.IsMapType(), ty.IsSetType(), ty.IsTupleType(), ty.IsObjectType():
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "value must be a string or a collection, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch {
		case v.Type() == cty.String:
			return stdlib.Strlen(v)
		case v.Type().IsObjectType():
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))), nil
		}
		return v.Length(), nil
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string, so that coalesce(var.user, "root") falls back
// when the variable is "".
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is not null and not an empty string.",
	VarParam: &function.Parameter{
		Name:             "vals",
		Type:             cty.DynamicPseudoType,
		AllowNull:        true,
		AllowDynamicType: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		ty, _ := convert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, fmt.Errorf("all arguments must have the same type")
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			v, err := convert.Convert(a, retType)
			if err != nil {
				return cty.UnknownVal(retType), err
			}
			if v.IsNull() || (retType.Equals(cty.String) && v.AsString() == "") {
				continue
			}
			return v, nil
		}
		return cty.UnknownVal(retType), fmt.Errorf("no argument is non-null and non-empty")
	},
})

// lookupEnv returns the first "name=value" entry of env, as os.Getenv does.
func lookupEnv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// envFunc is env("NAME"): the value of an environment variable from env.
// A missing variable is an error naming it. The result carries markExternal,
// so a password read this way is not reported as written in the spec.
func envFunc(env []string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			v, ok := lookupEnv(env, name)
			if !ok {
				return cty.UnknownVal(cty.String), fmt.Errorf(
					"the environment variable %q is not set; set it before running srplan, or write try(env(%q), \"default\")", name, name)
			}
			return cty.StringVal(v).Mark(markExternal), nil
		},
	})
}

// fileFunc is file("path"): the contents of a UTF-8 file, the path relative
// to the spec directory. Refused unless allowed. The result carries
// markExternal.
func fileFunc(specDir string, allowed bool) function.Function {
	return function.New(&function.Spec{
		Description: "Reads the contents of a file relative to the spec directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if !allowed {
				return cty.UnknownVal(cty.String), fmt.Errorf("reading files is not allowed in this context; pass the value through a variable instead")
			}
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				p = filepath.Join(specDir, p)
			}
			fi, err := os.Stat(p)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "cannot read %s: %s", p, pathErr(err))
			}
			if fi.IsDir() {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "%s is a directory, not a file", p)
			}
			if fi.Size() > maxFileSize {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "%s is larger than %d bytes", p, maxFileSize)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "cannot read %s: %s", p, pathErr(err))
			}
			if !utf8.Valid(b) {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "%s is not valid UTF-8 text", p)
			}
			return cty.StringVal(string(b)).Mark(markExternal), nil
		},
	})
}

// pathErr drops the path from an *os.PathError, which the caller names.
func pathErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
