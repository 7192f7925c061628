package s3test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
)

// The servers this test binary starts itself when scripts/test.sh has not exported any, one of
// each at most, shared by all its tests.
var (
	localMinIO    = sync.OnceValues(startMinIO)
	localDynamoDB = sync.OnceValues(startDynalite)
	localSQS      = sync.OnceValues(startFauxqs)
)

// repoRoot returns the nearest directory at or above the working directory that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func loopbackURL(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// startMinIO starts .cache/bin/minio on a free port with fresh credentials and an empty data
// directory.
func startMinIO() (Env, error) {
	_, env, err := startMinIOProcess()
	return env, err
}

func startMinIOProcess() (*process, Env, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, Env{}, err
	}
	bin := filepath.Join(root, ".cache", "bin", "minio")
	if _, err := os.Stat(bin); err != nil {
		return nil, Env{}, errNotInstalled("MinIO", bin, EnvS3Endpoint, EnvS3AccessKey, EnvS3SecretKey)
	}
	env := Env{AccessKey: "srplan" + randomHex(7), SecretKey: randomHex(20), Region: Region}
	p, ports, err := server{
		name:  "minio",
		ports: 2,
		command: func(dir string, ports []int) ([]string, []string) {
			return []string{bin, "server", filepath.Join(dir, "data"), "--quiet",
					"--address", "127.0.0.1:" + strconv.Itoa(ports[0]),
					"--console-address", "127.0.0.1:" + strconv.Itoa(ports[1])},
				[]string{"MINIO_ROOT_USER=" + env.AccessKey, "MINIO_ROOT_PASSWORD=" + env.SecretKey,
					"MINIO_UPDATE=off", "MINIO_BROWSER=off"}
		},
		// ready rather than live: it answers 200 only once the object layer can serve requests.
		ready: func(ports []int) bool { return httpOK(loopbackURL(ports[0]) + "/minio/health/ready") },
	}.start()
	if err != nil {
		return nil, Env{}, err
	}
	env.Endpoint = loopbackURL(ports[0])
	return p, env, nil
}

// nodeModules returns the repository root and its .cache/node/node_modules after checking that
// node and the named package are there.
func nodeModules(what, pkgFile, envVar string) (root, modules, node string, err error) {
	root, err = repoRoot()
	if err != nil {
		return "", "", "", err
	}
	modules = filepath.Join(root, ".cache", "node", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, pkgFile)); err != nil {
		return "", "", "", errNotInstalled(what, filepath.Join(modules, pkgFile), envVar)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", "", fmt.Errorf("%s needs Node.js: %w", what, err)
	}
	return root, modules, node, nil
}

// startDynalite starts dynalite (in memory) from .cache/node on a free port.
func startDynalite() (string, error) {
	_, endpoint, err := startDynaliteProcess()
	return endpoint, err
}

func startDynaliteProcess() (*process, string, error) {
	root, modules, node, err := nodeModules("dynalite", filepath.Join("dynalite", "cli.js"), EnvDynamoDBEndpoint)
	if err != nil {
		return nil, "", err
	}
	p, ports, err := server{
		name:  "dynalite",
		ports: 1,
		command: func(_ string, ports []int) ([]string, []string) {
			// The wrapper keeps dynalite up when a client vanishes mid-request.
			return []string{node, filepath.Join(root, "scripts", "dynalite-serve.cjs"), modules, strconv.Itoa(ports[0])}, nil
		},
		ready: func(ports []int) bool { return httpOK(loopbackURL(ports[0]) + "/") },
	}.start()
	if err != nil {
		return nil, "", err
	}
	return p, loopbackURL(ports[0]), nil
}

// startFauxqs starts fauxqs from .cache/node on a free port through scripts/fauxqs-serve.mjs,
// which binds it to 127.0.0.1.
func startFauxqs() (string, error) {
	_, endpoint, err := startFauxqsProcess()
	return endpoint, err
}

func startFauxqsProcess() (*process, string, error) {
	root, modules, node, err := nodeModules("fauxqs", filepath.Join("fauxqs", "dist", "app.js"), EnvSQSEndpoint)
	if err != nil {
		return nil, "", err
	}
	p, ports, err := server{
		name:  "fauxqs",
		ports: 1,
		command: func(_ string, ports []int) ([]string, []string) {
			return []string{node, filepath.Join(root, "scripts", "fauxqs-serve.mjs"), modules, strconv.Itoa(ports[0])}, nil
		},
		ready: func(ports []int) bool { return httpOK(loopbackURL(ports[0]) + "/health") },
	}.start()
	if err != nil {
		return nil, "", err
	}
	return p, loopbackURL(ports[0]), nil
}
