package planner

import (
	"encoding/json"
	"fmt"
)

// Action is what a plan does to a table or a partition.
type Action uint8

// Actions. Partition changes use NoOp, Copy, Recopy, Blocked and Orphan;
// table changes use NoOp, CreateTable, SchemaDrift and Blocked.
const (
	NoOp        Action = iota // nothing to do
	Copy                      // + never copied (or a first copy that did not finish)
	Recopy                    // ~ copied before; the source moved, verification failed, or -replace
	Blocked                   // ! cannot proceed; the reason says how to fix it
	Orphan                    // - on the target only; reported, never deleted unless allowed
	CreateTable               // + the target table will be created from the source DDL
	SchemaDrift               // ~ source and target columns differ
)

var actionNames = [...]string{
	NoOp:        "no-op",
	Copy:        "copy",
	Recopy:      "recopy",
	Blocked:     "blocked",
	Orphan:      "orphan",
	CreateTable: "create",
	SchemaDrift: "drift",
}

var actionSymbols = [...]string{
	NoOp:        " ",
	Copy:        "+",
	Recopy:      "~",
	Blocked:     "!",
	Orphan:      "-",
	CreateTable: "+",
	SchemaDrift: "~",
}

// String returns the action's name as used in JSON plans ("copy", ...).
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", a)
}

// Symbol returns the one-character symbol of the human plan.
func (a Action) Symbol() string {
	if int(a) < len(actionSymbols) {
		return actionSymbols[a]
	}
	return "?"
}

// MarshalJSON writes the action's name.
func (a Action) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads an action name.
func (a *Action) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for i, n := range actionNames {
		if n == s {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("unknown plan action %q", s)
}
