#!/usr/bin/env bash
# The first seconds of a fresh dev server under load, measured with wrk (2 threads x 64 keep-alive
# connections, one SigV4-signed GenerateDataKey replayed), as issue 18's figures were taken:
#   bench/wrk/startup.sh [--data-dir DIR] [--port P] [--runs N] [--windows W] [-- DEV_FLAGS...]
# Each run launches "./hsm-kms dev", polls it until it first answers, then runs W consecutive
# 10-second wrk windows and prints req/s and p99 for each. Needs wrk and python3-botocore; the
# service jar must be built. HSM_KMS_JAVA_OPTS passes through to the server.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data_dir=/tmp/hsm-kms-wrk port=4597 runs=3 windows=3
dev_flags=()
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --windows) windows=$2; shift 2 ;;
    --) shift; dev_flags=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"
sign="$root/bench/wrk/sign.py"
log=$(mktemp) script=$(mktemp --suffix=.lua)
pid=""
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -f "$log" "$script"' EXIT

start_server() {
  "$root/hsm-kms" dev --port "$port" --data-dir "$data_dir" "${dev_flags[@]}" >"$log" 2>&1 &
  pid=$!
  # Polled with curl (a few ms of CPU a try), not python, so that polling takes no core from the
  # server's start.
  local id secret code
  while :; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    if [[ -f $data_dir/credentials ]]; then
      id=$(awk -F' = ' '/^aws_access_key_id/ {print $2; exit}' "$data_dir/credentials")
      secret=$(awk -F' = ' '/^aws_secret_access_key/ {print $2; exit}' "$data_dir/credentials")
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
        --aws-sigv4 "aws:amz:us-east-1:kms" --user "$id:$secret" \
        -H 'Content-Type: application/x-amz-json-1.1' \
        -H 'X-Amz-Target: TrentService.GenerateRandom' \
        -d '{"NumberOfBytes":16}' "$endpoint/" 2>/dev/null) || code=000
      [[ $code == 200 ]] && break
    fi
    sleep 0.01
  done
}
stop_server() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}

if ! [[ -f $data_dir/wrk-key ]]; then
  start_server
  "$sign" send "$endpoint" "$data_dir/credentials" CreateKey '{}' |
    sed -n 's/.*"KeyId":"\([^"]*\)".*/\1/p' >"$data_dir/wrk-key"
  stop_server
fi
key=$(cat "$data_dir/wrk-key")
body="{\"KeyId\":\"$key\",\"KeySpec\":\"AES_256\"}"
for ((run = 1; run <= runs; run++)); do
  "$sign" wrk "$endpoint" "$data_dir/credentials" GenerateDataKey "$body" >"$script"
  launched=$(date +%s%N)
  start_server
  answered=$(date +%s%N)
  line="run $run: first answer $(((answered - launched) / 1000000)) ms after launch;"
  for ((w = 1; w <= windows; w++)); do
    out=$(wrk -t2 -c64 -d10s --latency -s "$script" "$endpoint/")
    [[ -n ${WRK_VERBOSE:-} ]] && echo "$out" >&2
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    line+=" $((w * 10 - 10))-$((w * 10))s ${rps} req/s p99 ${p99}${non2xx:+ (non-2xx $non2xx)};"
  done
  echo "$line"
  stop_server
done
