package sqs

import (
	"os"
	"testing"

	"github.com/srplan/srplan/providers/s3/s3test"
)

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }
