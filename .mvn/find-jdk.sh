# Sourced by ./mvnw and ./crust (POSIX sh). Sets and exports JAVA_HOME to a JDK 21 or newer:
# JAVA_HOME if it already is one, then the javac on the PATH, then JDKs installed in the usual
# places (newest first). Stops with one clear sentence when there is none.
crust_java_feature() { # prints the feature version (17, 21, 25...) of the java binary $1
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
crust_is_jdk21() { # $1: a JDK home
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  crust_v=$(crust_java_feature "$1/bin/java")
  [ -n "$crust_v" ] && [ "$crust_v" -ge 21 ]
}
if ! { [ -n "${JAVA_HOME-}" ] && crust_is_jdk21 "$JAVA_HOME"; }; then
  crust_found=""
  if command -v javac >/dev/null 2>&1; then
    crust_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if crust_is_jdk21 "$crust_home"; then crust_found="$crust_home"; fi
  fi
  if [ -z "$crust_found" ]; then
    for crust_home in $(ls -d /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
        "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
        /Library/Java/JavaVirtualMachines/*/Contents/Home 2>/dev/null | sort -r); do
      if crust_is_jdk21 "$crust_home"; then crust_found="$crust_home"; break; fi
    done
  fi
  if [ -z "$crust_found" ]; then
    echo "Crust needs a JDK 21 or newer and none was found: install one (for example Temurin 21 or openjdk-21-jdk) or set JAVA_HOME to it." >&2
    exit 1
  fi
  JAVA_HOME="$crust_found"
  export JAVA_HOME
fi
