#!/usr/bin/env bash
# Builds the real etcd, Kubernetes, kwok and Karmada binaries the e2e test bed runs,
# from the Go modules pinned in e2e/tools/*/go.mod (checked against go.sum and the
# Go checksum database), into e2e/.bin/<group>-<version>/. A group whose folder holds
# all its binaries and a stamp matching its version and go.sum is skipped, so a warm
# run does not invoke go at all.
#
#   npm run e2e:build            build what is missing
#   E2E_BIN_DIR=...              where to put the binaries (default e2e/.bin)
#   E2E_BUILD_JOBS=2             go build -p (the machine has 2 cores and is shared)
#   E2E_BUILD_NICE=19            nice level for go
#   E2E_BUILD_ONLY="etcd kwok"   build only these groups
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin_root="${E2E_BIN_DIR:-$here/.bin}"
jobs="${E2E_BUILD_JOBS:-2}"
nice_level="${E2E_BUILD_NICE:-19}"
min_go_minor=26 # etcd v3.6.16 and kwok v0.8.0 declare go 1.26.0

# group | module directory | pinned module | binary=package ...
groups=(
	"etcd|tools/etcd|go.etcd.io/etcd/server/v3|etcd=go.etcd.io/etcd/server/v3"
	"kubernetes|tools/kubernetes|k8s.io/kubernetes|kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler kubectl=k8s.io/kubernetes/cmd/kubectl"
	"kwok|tools/kwok|sigs.k8s.io/kwok|kwok=sigs.k8s.io/kwok/cmd/kwok"
	"karmada|tools/karmada|github.com/karmada-io/karmada|karmada-controller-manager=github.com/karmada-io/karmada/cmd/controller-manager karmada-scheduler=github.com/karmada-io/karmada/cmd/scheduler karmada-webhook=github.com/karmada-io/karmada/cmd/webhook karmada-agent=github.com/karmada-io/karmada/cmd/agent karmada-aggregated-apiserver=github.com/karmada-io/karmada/cmd/aggregated-apiserver kubectl-karmada=github.com/karmada-io/karmada/cmd/kubectl-karmada"
)

die() {
	echo "e2e:build: $*" >&2
	exit 1
}

# The version go.mod requires of a module, read without running go.
pinned_version() {
	awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$1/go.mod"
}

stamp_of() {
	local dir="$1" version="$2"
	# The layout (what copy_data adds) is part of the stamp: a build made by an older script is redone.
	echo "$version $(sha256sum "$dir/go.sum" | cut -d' ' -f1) layout-2"
}

is_built() {
	local out="$1" stamp="$2" bins="$3" b
	[[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]] || return 1
	for b in $bins; do [[ -x "$out/${b%%=*}" ]] || return 1; done
}

go_checked=
require_go() {
	[[ -n "$go_checked" ]] && return
	command -v go >/dev/null 2>&1 ||
		die "Go 1.$min_go_minor or newer is needed to build the e2e binaries and 'go' is not on PATH. Install the Go 1.$min_go_minor toolchain (Debian's golang-go package is older) into /usr/local/go and add /usr/local/go/bin to PATH, then re-run npm run e2e:build."
	local v
	v="$(go env GOVERSION)"
	[[ "$v" =~ ^go1\.([0-9]+) ]] || die "cannot read the Go version from 'go env GOVERSION' ($v)."
	((BASH_REMATCH[1] >= min_go_minor)) ||
		die "Go 1.$min_go_minor or newer is needed to build the e2e binaries; found $v. Install Go 1.$min_go_minor and put it first on PATH."
	[[ "$(go env GOSUMDB)" != off ]] || die "GOSUMDB=off: the pinned modules must be verified by the Go checksum database; unset GOSUMDB."
	go_checked=1
}

# A string field of a JSON object (`go mod download -json`, a module's .info file).
json_field() {
	grep -o "\"$2\":[[:space:]]*\"[^\"]*\"" <<<"$1" | head -n1 | sed 's/.*"\([^"]*\)"$/\1/' || true
}

ldflags_for() {
	local group="$1" version="$2" commit="$3" date="$4"
	case "$group" in
	etcd) # etcd's scripts/build_lib.sh sets api/v3/version.GitSHA
		echo "-X go.etcd.io/etcd/api/v3/version.GitSHA=${commit:0:7}" ;;
	kubernetes) # hack/lib/version.sh kube::version::ldflags
		local minor="${version#v1.}"
		minor="${minor%%.*}"
		local pkg f=""
		for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
			f+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
			f+=" -X $pkg.gitCommit=$commit -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
		done
		echo "$f" ;;
	kwok) # hack/releases.sh
		echo "-X sigs.k8s.io/kwok/pkg/consts.Version=$version" ;;
	karmada) # hack/util.sh util::version_ldflags
		local pkg=github.com/karmada-io/karmada/pkg/version
		echo "-X $pkg.gitVersion=$version -X $pkg.gitCommit=$commit -X $pkg.gitShortCommit=${commit:0:7} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date" ;;
	esac
}

# The file name go build -o DIR/ gives a main package: its last path element, or
# the one before a major-version suffix (go.etcd.io/etcd/server/v3 -> server).
go_binary_name() {
	local name="${1##*/}" rest="${1%/*}"
	[[ "$name" =~ ^v[0-9]+$ ]] && name="${rest##*/}"
	echo "$name"
}

# Data files the harness needs from the same modules, copied at build time, never committed.
copy_data() {
	local group="$1" src="$2" out="$3" f
	case "$group" in
	karmada)
		[[ -d "$src/charts/karmada/_crds" ]] || die "Karmada's CRDs are not at $src/charts/karmada/_crds."
		cp -R "$src/charts/karmada/_crds" "$out/crds"
		# The webhook configuration hack/deploy-karmada.sh applies (caBundle and service filled in by the harness).
		cp "$src/artifacts/deploy/webhook-configuration.yaml" "$out/webhook-configuration.yaml"
		;;
	kwok)
		# kwok runs no default stages: these are the ones kwokctl configures (kustomize/stage, "fast" profile).
		mkdir -p "$out/stages"
		for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
			pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
			[[ -f "$src/kustomize/stage/$f" ]] || die "kwok's stage $f is not in $src/kustomize/stage."
			cp "$src/kustomize/stage/$f" "$out/stages/"
		done
		;;
	esac
	chmod -R u+w "$out"
}

tmp=
build_group() {
	local group="$1" dir="$2" module="$3" bins="$4" version="$5" out="$6" stamp="$7"
	require_go
	echo "e2e:build: building $group $version into ${out#"$here/"}" >&2
	local started=$SECONDS json info commit date b pkgs=()
	json="$(cd "$dir" && go mod download -json "$module@$version")" ||
		die "could not download $module@$version (see the go error above)."
	# The proxy's .info gives the tag's date and, for some modules, its commit; an
	# unknown commit stays empty (the upstream default), the date keeps builds reproducible.
	info="$(cat "$(json_field "$json" Info)")"
	commit="$(json_field "$info" Hash)"
	date="$(json_field "$info" Time)"
	date="${date%%.*}"
	date="${date%Z}Z"
	for b in $bins; do pkgs+=("${b#*=}"); done
	tmp="$out.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	# CGO off and stripped, as the upstream release builds of these servers are.
	(cd "$dir" && CGO_ENABLED=0 nice -n "$nice_level" go build -p "$jobs" -mod=readonly -trimpath -buildvcs=false \
		-ldflags "-s -w $(ldflags_for "$group" "$version" "$commit" "$date")" -o "$tmp/" "${pkgs[@]}") ||
		die "go build of $group $version failed (see above)."
	for b in $bins; do
		local name="${b%%=*}" built
		built="$(go_binary_name "${b#*=}")"
		[[ "$name" == "$built" ]] || mv "$tmp/$built" "$tmp/$name"
	done
	copy_data "$group" "$(json_field "$json" Dir)" "$tmp"
	echo "$stamp" >"$tmp/.stamp"
	rm -rf "$out"
	mv "$tmp" "$out"
	trap - EXIT
	echo "e2e:build: $group $version built in $((SECONDS - started)) s" >&2
}

began=$SECONDS
only=" ${E2E_BUILD_ONLY:-etcd kubernetes kwok karmada} "
mkdir -p "$bin_root"
for entry in "${groups[@]}"; do
	IFS='|' read -r group rel module bins <<<"$entry"
	[[ "$only" == *" $group "* ]] || continue
	dir="$here/$rel"
	version="$(pinned_version "$dir" "$module")"
	[[ -n "$version" ]] || die "$rel/go.mod does not require $module."
	out="$bin_root/$group-$version"
	stamp="$(stamp_of "$dir" "$version")"
	if is_built "$out" "$stamp" "$bins"; then
		echo "e2e:build: $group $version up to date" >&2
	else
		build_group "$group" "$dir" "$module" "$bins" "$version" "$out" "$stamp"
	fi
done
echo "e2e:build: done in $((SECONDS - began)) s (binaries in ${bin_root#"$here/"})" >&2
