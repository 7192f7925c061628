#!/usr/bin/env bash
# srplan's one test command.
#
# It installs the local test stack into .cache/ (once; later runs reuse it), starts MinIO (S3),
# dynalite (DynamoDB) and fauxqs (SQS) on free loopback ports, and runs every check against them:
# gofmt, go vet, go test -race, `srplan validate` on each example, and every scripts/test.d/*.sh.
# Every server it starts is stopped by its pid when the script exits, fails or is interrupted.
#
# Usage: scripts/test.sh [--long] [--no-services]
#   --long          set SRPLAN_TEST_LONG=1 so long campaigns run too
#   --no-services   do not install or start the stack (quick local runs; tests that need a server
#                   then start one from .cache/ themselves or fail saying how to install it)
#
# Environment:
#   SRPLAN_TEST_PKGS   packages for go vet and go test (default ./...), split on spaces
#
# After the Go checks, every scripts/test.d/*.sh is run with bash, in name order, from the
# repository root, with the same environment as the tests; each is one more step of the summary.
#
# Tests find the stack through SRPLAN_TEST_S3_ENDPOINT, SRPLAN_TEST_S3_ACCESS_KEY,
# SRPLAN_TEST_S3_SECRET_KEY, SRPLAN_TEST_DYNAMODB_ENDPOINT and SRPLAN_TEST_SQS_ENDPOINT.
# The exit status is non-zero when any step failed.
set -euo pipefail

readonly MINIO_MODULE=github.com/minio/minio
readonly MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
readonly DYNALITE_SPEC=dynalite@4
readonly FAUXQS_SPEC=fauxqs@1.9.2
readonly READY_TIMEOUT=60 # seconds a server may take to become ready
readonly STOP_TIMEOUT=10  # seconds a server may take to exit after SIGTERM

usage() {
	cat <<'EOF'
usage: scripts/test.sh [--long] [--no-services]
  --long          set SRPLAN_TEST_LONG=1 so long campaigns run too
  --no-services   do not install or start the local test stack
EOF
}

long=0
services=1
while (($# > 0)); do
	case $1 in
	--long) long=1 ;;
	--no-services) services=0 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "test.sh: unknown argument: $1" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
readonly ROOT
readonly CACHE=$ROOT/.cache
readonly BIN=$CACHE/bin
readonly NODE_DIR=$CACHE/node
readonly LOGS=$CACHE/logs
readonly MINIO_DATA=$CACHE/minio-data
read -r -a PKGS <<<"${SRPLAN_TEST_PKGS:-./...}"
((${#PKGS[@]} > 0)) || PKGS=(./...)

if ((long)); then
	export SRPLAN_TEST_LONG=1
fi
# No test may reach a cloud metadata service: the SDKs' default credential chains try one.
export AWS_EC2_METADATA_DISABLED=true

# ---- timing and step bookkeeping -------------------------------------------------------------

step_names=()
step_secs=()
step_results=()
failed=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
script_start=$(now)

# record NAME START RESULT appends one line to the timing summary.
record() {
	step_names+=("$1")
	step_secs+=("$(elapsed "$2" "$(now)")")
	step_results+=("$3")
	if [[ $3 == FAILED ]]; then
		failed=1
	fi
}

# step NAME CMD... runs CMD with its output streamed, records how long it took, and carries on
# whether it passed or not.
step() {
	local name=$1 start rc=0
	shift
	echo
	echo "==> $name"
	start=$(now)
	"$@" || rc=$?
	if ((rc == 0)); then
		record "$name" "$start" passed
	else
		echo "==> $name: FAILED (exit $rc)"
		record "$name" "$start" FAILED
	fi
}

summary() {
	local i
	echo
	echo "==> summary"
	for i in "${!step_names[@]}"; do
		printf '  %-34s %8ss  %s\n' "${step_names[$i]}" "${step_secs[$i]}" "${step_results[$i]}"
	done
	printf '  %-34s %8ss\n' "total" "$(elapsed "$script_start" "$(now)")"
}

die() {
	echo "test.sh: $*" >&2
	exit 1
}

# ---- processes -------------------------------------------------------------------------------

svc_names=()
svc_pids=()

stop_services() {
	local i pid name deadline
	for ((i = ${#svc_pids[@]} - 1; i >= 0; i--)); do
		pid=${svc_pids[$i]}
		name=${svc_names[$i]}
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			deadline=$((SECONDS + STOP_TIMEOUT))
			while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
				sleep 0.1
			done
			if kill -0 "$pid" 2>/dev/null; then
				echo "test.sh: $name (pid $pid) ignored SIGTERM; killing it" >&2
				kill -KILL "$pid" 2>/dev/null || true
			fi
		fi
		wait "$pid" 2>/dev/null || true
	done
	svc_pids=()
	svc_names=()
}

on_exit() {
	local rc=$? start
	trap - EXIT INT TERM
	if ((${#svc_pids[@]} > 0)); then
		start=$(now)
		stop_services
		rm -rf "$MINIO_DATA"
		record "stop services" "$start" passed
	fi
	if ((${#step_names[@]} > 0)); then
		summary
	fi
	if ((rc == 0 && failed)); then
		rc=1
	fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_ports N prints N distinct free TCP ports on 127.0.0.1, one a line.
free_ports() {
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
EOF
		return
	fi
	# Without python3: random ports in the ephemeral range nothing answers on.
	local -A seen=()
	local n=0 p
	while ((n < $1)); do
		p=$((20000 + RANDOM % 30000))
		[[ -z ${seen[$p]:-} ]] || continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			seen[$p]=1
			echo "$p"
			n=$((n + 1))
		fi
	done
}

# http_ok PORT PATH succeeds when GET http://127.0.0.1:PORT/PATH answers 200.
http_ok() (
	local status=
	exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3 || exit 1
	IFS= read -r -t 5 status <&3 || exit 1
	[[ $status == HTTP/1.?' 200'* ]]
) 2>/dev/null

# start_service NAME LOG PROBE... -- CMD... starts CMD in the background with its output in LOG and
# waits until PROBE succeeds. The pid is kept for stop_services. Fails (after printing the end of
# LOG) when CMD exits early or is not ready within READY_TIMEOUT seconds.
start_service() {
	local name=$1 log=$2 pid deadline
	shift 2
	local probe=()
	while [[ $1 != -- ]]; do
		probe+=("$1")
		shift
	done
	shift
	# exec in the background subshell, so that $! is the server's own pid.
	(exec "$@" >"$log" 2>&1 </dev/null) &
	pid=$!
	svc_names+=("$name")
	svc_pids+=("$pid")
	deadline=$((SECONDS + READY_TIMEOUT))
	until "${probe[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "test.sh: $name exited before it was ready; end of $log:" >&2
			tail -n 20 "$log" >&2 || true
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "test.sh: $name not ready after ${READY_TIMEOUT}s; end of $log:" >&2
			tail -n 20 "$log" >&2 || true
			return 1
		fi
		sleep 0.2
	done
}

# ---- installs --------------------------------------------------------------------------------

require_tools() {
	local missing=()
	command -v go >/dev/null 2>&1 || missing+=("go (the Go toolchain, see go.mod for the version)")
	if ((services)); then
		command -v node >/dev/null 2>&1 || missing+=("node (Node.js 20 or later, for dynalite and fauxqs)")
		command -v npm >/dev/null 2>&1 || missing+=("npm (for dynalite and fauxqs)")
	fi
	if ((${#missing[@]} > 0)); then
		echo "test.sh: missing required tools:" >&2
		printf '  %s\n' "${missing[@]}" >&2
		exit 1
	fi
}

install_minio() {
	local stamp=$BIN/minio.version log=$LOGS/install-minio.log
	if [[ -x $BIN/minio && -f $stamp && $(<"$stamp") == "$MINIO_VERSION" ]]; then
		echo "MinIO $MINIO_VERSION: cached in $BIN"
		return 0
	fi
	echo "MinIO $MINIO_VERSION: building from its Go module (a few minutes the first time)"
	if ! GOBIN=$BIN GOFLAGS='' go install "$MINIO_MODULE@$MINIO_VERSION" >"$log" 2>&1; then
		echo "test.sh: go install $MINIO_MODULE@$MINIO_VERSION failed; end of $log:" >&2
		tail -n 30 "$log" >&2 || true
		return 1
	fi
	echo "$MINIO_VERSION" >"$stamp"
}

install_node_tools() {
	local stamp=$NODE_DIR/.srplan-installed log=$LOGS/install-node.log want="$DYNALITE_SPEC $FAUXQS_SPEC"
	if [[ -f $stamp && $(<"$stamp") == "$want" &&
		-f $NODE_DIR/node_modules/dynalite/cli.js &&
		-f $NODE_DIR/node_modules/fauxqs/dist/app.js ]]; then
		echo "$want: cached in $NODE_DIR"
		return 0
	fi
	echo "$want: installing with npm"
	mkdir -p "$NODE_DIR"
	if ! npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
		"$DYNALITE_SPEC" "$FAUXQS_SPEC" >"$log" 2>&1; then
		echo "test.sh: npm install $want into $NODE_DIR failed; end of $log:" >&2
		tail -n 30 "$log" >&2 || true
		return 1
	fi
	echo "$want" >"$stamp"
}

# ---- the stack -------------------------------------------------------------------------------

random_token() {
	local t
	t=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s' "${t:0:$1}"
}

start_stack() {
	local attempt ports minio_port console_port dynamo_port sqs_port
	for attempt in 1 2 3; do
		mapfile -t ports < <(free_ports 4)
		minio_port=${ports[0]}
		console_port=${ports[1]}
		dynamo_port=${ports[2]}
		sqs_port=${ports[3]}
		if start_all "$minio_port" "$console_port" "$dynamo_port" "$sqs_port"; then
			return 0
		fi
		stop_services
		echo "test.sh: starting the stack failed (attempt $attempt of 3)" >&2
	done
	return 1
}

# start_all MINIO_PORT CONSOLE_PORT DYNAMO_PORT SQS_PORT starts the three servers and exports
# their endpoints.
start_all() {
	local access secret data=$MINIO_DATA
	access=srplan$(random_token 14)
	secret=$(random_token 40)
	rm -rf "$data"
	mkdir -p "$data"

	# MinIO is probed on health/ready, which answers 200 only once buckets can be served.
	MINIO_ROOT_USER=$access MINIO_ROOT_PASSWORD=$secret MINIO_UPDATE=off MINIO_BROWSER=off \
		start_service minio "$LOGS/minio.log" http_ok "$1" /minio/health/ready -- \
		"$BIN/minio" server "$data" --quiet --address "127.0.0.1:$1" --console-address "127.0.0.1:$2" ||
		return 1
	# Through a wrapper that survives clients vanishing mid-request (the crash tests do that).
	start_service dynalite "$LOGS/dynalite.log" http_ok "$3" / -- \
		node "$ROOT/scripts/dynalite-serve.cjs" "$NODE_DIR/node_modules" "$3" ||
		return 1
	start_service fauxqs "$LOGS/fauxqs.log" http_ok "$4" /health -- \
		node "$ROOT/scripts/fauxqs-serve.mjs" "$NODE_DIR/node_modules" "$4" ||
		return 1

	export SRPLAN_TEST_S3_ENDPOINT=http://127.0.0.1:$1
	export SRPLAN_TEST_S3_ACCESS_KEY=$access
	export SRPLAN_TEST_S3_SECRET_KEY=$secret
	export SRPLAN_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:$3
	export SRPLAN_TEST_SQS_ENDPOINT=http://127.0.0.1:$4
	echo "MinIO    $SRPLAN_TEST_S3_ENDPOINT"
	echo "dynalite $SRPLAN_TEST_DYNAMODB_ENDPOINT"
	echo "fauxqs   $SRPLAN_TEST_SQS_ENDPOINT"
	echo "logs in  $LOGS"
}

# ---- checks ----------------------------------------------------------------------------------

# go_files prints, NUL-separated, the Go files gofmt checks: those of the packages in
# SRPLAN_TEST_PKGS when it is set, else every .go file outside .cache, .git and testdata.
go_files() {
	local dir
	if [[ -z ${SRPLAN_TEST_PKGS:-} ]]; then
		find . -type d \( -name .cache -o -name .git -o -name testdata -o -name node_modules \) -prune \
			-o -type f -name '*.go' -print0
		return
	fi
	go list -f '{{.Dir}}' "${PKGS[@]}" | while IFS= read -r dir; do
		find "$dir" -maxdepth 1 -type f -name '*.go' -print0
	done
}

check_gofmt() {
	local files f
	if ! files=$(go_files | xargs -0 -r gofmt -l); then
		echo "listing or reading the Go files failed (see above)"
		return 1
	fi
	if [[ -n $files ]]; then
		echo "files not formatted with gofmt (run gofmt -w on them):"
		while IFS= read -r f; do
			echo "  $f"
		done <<<"$files"
		return 1
	fi
	echo "all Go files formatted"
}

validate_examples() {
	local dir dirs failed_any=0 out=$BIN/srplan
	go build -o "$out" ./cmd/srplan || return 1
	dirs=()
	for dir in examples/*/; do
		[[ -d $dir ]] && dirs+=("$dir")
	done
	if ((${#dirs[@]} == 0)); then
		echo "no example directories"
		return 0
	fi
	for dir in "${dirs[@]}"; do
		dir=${dir%/}
		echo "srplan validate -f $dir"
		"$out" validate -f "$dir" || failed_any=1
	done
	return "$failed_any"
}

have_cli() {
	compgen -G 'cmd/srplan/*.go' >/dev/null
}

# ---- main ------------------------------------------------------------------------------------

require_tools
mkdir -p "$BIN" "$LOGS"
echo "srplan tests in $ROOT (packages: ${PKGS[*]}; long campaigns: $([[ $long == 1 ]] && echo on || echo off))"

if ((services)); then
	echo
	echo "==> install tools"
	start=$(now)
	if ! install_minio; then
		record "install MinIO" "$start" FAILED
		die "installing MinIO failed"
	fi
	record "install MinIO" "$start" passed
	start=$(now)
	if ! install_node_tools; then
		record "install dynalite, fauxqs" "$start" FAILED
		die "installing dynalite and fauxqs failed"
	fi
	record "install dynalite, fauxqs" "$start" passed

	start=$(now)
	echo
	echo "==> start services"
	if ! start_stack; then
		record "start services" "$start" FAILED
		die "the test stack did not start; see $LOGS"
	fi
	record "start services" "$start" passed
else
	echo "services: not started (--no-services)"
fi

step "gofmt" check_gofmt
step "go vet" go vet "${PKGS[@]}"
# go test's default 10-minute limit per package is too tight for the e2e package on a slow
# machine (about 6 minutes here), and far too tight for the long campaigns.
test_timeout=30m
if ((long)); then
	test_timeout=180m
fi
step "go test -race" go test -race -count=1 -timeout "$test_timeout" "${PKGS[@]}"

if have_cli; then
	step "srplan validate examples" validate_examples
else
	echo
	echo "==> srplan validate examples: skipped (cmd/srplan has no Go files yet)"
fi

shopt -s nullglob
for hook in scripts/test.d/*.sh; do
	step "$(basename "$hook")" bash "$hook"
done
shopt -u nullglob
