#!/usr/bin/env bash
# Coverage-guided fuzzing of every @FuzzTest target with Jazzer's own driver (libFuzzer), time-boxed.
#
#   crust-bench/fuzz/run.sh [SECONDS_PER_TARGET] [FILTER]
#
# SECONDS_PER_TARGET defaults to 60; FILTER (a regular expression) picks targets by
# "module Class#method". It compiles the test classes into target-fuzz/, then runs each target in
# its own JVM at nice 19 with a corpus under <module>/target-fuzz/corpus/<Class>/<method>/, seeded with
# the saved inputs in src/test/resources/.../<Class>Inputs/<method>/. A finding (crash input) lands
# in <module>/target-fuzz/findings/ and makes the script exit 1; copy it into the Inputs folder so
# that every normal test run replays it. Summary lines: "FUZZ <module> <Class#method> runs=N seconds=S".
# (The JUnit way, JAZZER_FUZZ=1 ./mvnw ... -Dtest=Class#method, also works but fixes 5 minutes per target.)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET="${1:-60}"
FILTER="${2:-.}"
if [ -z "${JAVA:-}" ]; then
  . ./.mvn/find-jdk.sh   # a JDK 21+ as the build uses, even when the default java is older
  JAVA=$JAVA_HOME/bin/java
fi
TARGET_DIR=target-fuzz
MODULES="crust-udt crust-nat crust-core crust-demo"

# One reactor build (-am): the io.crust modules resolve from this checkout, never from a local
# repository where they would have to be installed first. The relative output file lands in each
# module's own folder.
for m in $MODULES; do rm -f "$m/$TARGET_DIR/test-classpath.txt"; done
./mvnw -q -B -Dcrust.target=$TARGET_DIR -pl "$(echo $MODULES | tr ' ' ,)" -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$TARGET_DIR/test-classpath.txt" -Dmdep.includeScope=test
for m in $MODULES; do
  [ -s "$m/$TARGET_DIR/test-classpath.txt" ] || { echo "no test class path for $m ($m/$TARGET_DIR/test-classpath.txt)" >&2; exit 1; }
done

status=0
total_runs=0
for m in $MODULES; do
  cp="$m/$TARGET_DIR/test-classes:$m/$TARGET_DIR/classes:$(cat $m/$TARGET_DIR/test-classpath.txt)"
  for src in $(find $m/src/test/java -path '*/fuzz/*FuzzTest.java' | sort); do
    class=$(echo "${src#$m/src/test/java/}" | sed 's|/|.|g; s|\.java$||')
    simple=${class##*.}
    for method in $(grep -A1 '@FuzzTest' "$src" | grep -oE 'void [a-zA-Z0-9_]+' | cut -d' ' -f2); do
      echo "$m $simple#$method" | grep -qE "$FILTER" || continue
      corpus="$m/$TARGET_DIR/corpus/$simple/$method"
      seeds="$m/src/test/resources/$(dirname "${src#$m/src/test/java/}")/${simple}Inputs/$method"
      findings="$m/$TARGET_DIR/findings/$simple/$method/"
      mkdir -p "$corpus" "$findings" "$seeds"
      log="$m/$TARGET_DIR/$simple-$method.log"
      set +e
      nice -n 19 "$JAVA" -Xmx512m -XX:+EnableDynamicAgentLoading -cp "$cp" com.code_intelligence.jazzer.Jazzer \
        --target_class="$class" --target_method="$method" --instrumentation_includes='io.crust.**' \
        -max_total_time="$SECONDS_PER_TARGET" -artifact_prefix="$findings" -print_final_stats=1 \
        "$corpus" "$seeds" >"$log" 2>&1
      rc=$?
      set -e
      runs=$(grep -aoE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo 0)  # -a: jupnp's logs make the file look binary
      total_runs=$((total_runs + runs))
      echo "FUZZ $m $simple#$method runs=$runs seconds=$SECONDS_PER_TARGET exit=$rc"
      if [ $rc -ne 0 ]; then
        status=1
        grep -aE 'FuzzerSecurityIssue|Exception|Error|==' "$log" | head -20 || true  # head may close the pipe early
      fi
    done
  done
done
echo "FUZZ total runs=$total_runs"
exit $status
