// Package views renders srplan's results for people (human) and machines
// (JSON). Only views print: the planner and the executor return values and
// emit events. Every command's output has a Human and a JSON form.
package views
