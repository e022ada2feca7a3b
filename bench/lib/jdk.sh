# JDK lookup for the bench scripts. Source it; do not run it.
# find_jdk MAJOR : prints the JAVA_HOME of an installed JDK of that feature release, looking at
# $JAVA_HOME, then /usr/lib/jvm/*MAJOR* (Debian and Temurin packages install there), then java
# on PATH. Fails (status 1, nothing printed) if none is found.
find_jdk() {
    local major=$1 home candidates=()
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
    for home in /usr/lib/jvm/*"$major"*; do [[ -d $home ]] && candidates+=("$home"); done
    if command -v java >/dev/null; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for home in "${candidates[@]}"; do
        [[ -x $home/bin/java ]] || continue
        if [[ $(java_major "$home/bin/java") == "$major" ]]; then
            echo "$home"
            return 0
        fi
    done
    return 1
}

# java_major JAVA_BIN : the feature release (17, 25, ...) of that java.
java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
