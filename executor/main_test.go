package executor

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	settlePollInterval = 5 * time.Millisecond
	os.Exit(m.Run())
}
