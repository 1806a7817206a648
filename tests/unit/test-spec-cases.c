/* burrow: table of config.json cases with the exact message expected.
 *
 * Each case is a complete document (' stands for ") and the stage that must
 * refuse it: the parser, oci_config_validate, or only
 * oci_config_validate_for_create; STAGE_OK cases must pass all three.  The
 * message is compared whole, so a change of wording is a test change. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "spec/config.h"
#include "spec-cases.h"

enum stage { STAGE_PARSE, STAGE_VALIDATE, STAGE_CREATE, STAGE_OK };

struct spec_case {
    const char *name;
    enum stage stage;
    const char *json;
    const char *message; /* NULL for STAGE_OK */
};

/* Pieces to keep the cases short. */
#define V               "'ociVersion':'1.0.0'"
#define ROOT            "'root':{'path':'rootfs'}"
#define PROC(extra)     "'process':{'cwd':'/','args':['sh']" extra "}"
#define DOC(...)        "{" V "," ROOT "," __VA_ARGS__ "}"
#define LINUX(...)      DOC("'linux':{" __VA_ARGS__ "}")
#define USERNS          "'namespaces':[{'type':'user'}]"
#define RLIMIT(t, s, h) "{'type':'" t "','soft':" s ",'hard':" h "}"

static const struct spec_case cases[] = {
    /* --- syntax and document shape ---------------------------------- */
    {"syntax error line and column", STAGE_PARSE,
     "{\n  'ociVersion': '1.0.0',\n  'root': {'path': }\n}",
     "config.json: syntax error at line 3, column 20: unexpected character"},
    {"empty input", STAGE_PARSE, "",
     "config.json: syntax error at line 1, column 1: unexpected end of data"},
    {"truncated document", STAGE_PARSE, "{'ociVersion': '1.0.0',",
     "config.json: syntax error at line 1, column 24: unexpected end of data"},
    {"trailing garbage", STAGE_PARSE, "{" V "} x",
     "config.json: syntax error at line 1, column 24: unexpected character"},
    {"trailing comma", STAGE_PARSE, "{" V ",}",
     "config.json: syntax error at line 1, column 23: unexpected character"},
    {"top-level array", STAGE_PARSE, "[]",
     "config.json: expected a JSON object at the top level, got array"},
    {"top-level number", STAGE_PARSE, "42",
     "config.json: expected a JSON object at the top level, got integer"},
    {"top-level string", STAGE_PARSE, "'x'",
     "config.json: expected a JSON object at the top level, got string"},
    {"missing ociVersion", STAGE_PARSE, "{}", "config.json: ociVersion: required"},
    {"ociVersion wrong type", STAGE_PARSE, "{'ociVersion':1}",
     "config.json: ociVersion: expected string, got integer"},
    {"unknown keys ignored", STAGE_OK, DOC("'foo':{'bar':[1,2]}," PROC(",'x':1")), NULL},
    {"null is absent", STAGE_OK, DOC("'hostname':null,'mounts':null," PROC(",'env':null")), NULL},

    /* --- ociVersion ---------------------------------------------------- */
    {"ociVersion 2.0.0", STAGE_VALIDATE, "{'ociVersion':'2.0.0'}",
     "config.json: ociVersion: unsupported version \"2.0.0\" (burrow implements runtime-spec 1.x)"},
    {"ociVersion 0.4.0", STAGE_VALIDATE, "{'ociVersion':'0.4.0'}",
     "config.json: ociVersion: unsupported version \"0.4.0\" (burrow implements runtime-spec 1.x)"},
    {"ociVersion empty", STAGE_VALIDATE, "{'ociVersion':''}",
     "config.json: ociVersion: invalid version \"\" (expected a semantic version such as 1.3.0)"},
    {"ociVersion banana", STAGE_VALIDATE, "{'ociVersion':'banana'}",
     "config.json: ociVersion: invalid version \"banana\" (expected a semantic version such as "
     "1.3.0)"},
    {"ociVersion 1.0", STAGE_VALIDATE, "{'ociVersion':'1.0'}",
     "config.json: ociVersion: invalid version \"1.0\" (expected a semantic version such as "
     "1.3.0)"},
    {"ociVersion leading zero", STAGE_VALIDATE, "{'ociVersion':'01.0.0'}",
     "config.json: ociVersion: invalid version \"01.0.0\" (expected a semantic version such as "
     "1.3.0)"},
    {"ociVersion 1.0.0-rc5", STAGE_OK, "{'ociVersion':'1.0.0-rc5'," ROOT "," PROC("") "}", NULL},
    {"ociVersion 1.3.0+dev", STAGE_OK, "{'ociVersion':'1.3.0+dev'," ROOT "," PROC("") "}", NULL},

    /* --- integers ------------------------------------------------------ */
    {"negative mapping size", STAGE_PARSE,
     LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':-1}]"),
     "config.json: linux.uidMappings[0].size: -1 is out of range (0 to 4294967295)"},
    {"mapping size as string", STAGE_PARSE,
     LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':0,'size':1},"
                  "{'containerID':1,'hostID':1,'size':'1'}]"),
     "config.json: linux.uidMappings[1].size: expected unsigned integer, got string"},
    {"uid overflows uid_t", STAGE_PARSE, DOC(PROC(",'user':{'uid':4294967296,'gid':0}")),
     "config.json: process.user.uid: 4294967296 is out of range (0 to 4294967295)"},
    {"uid as double", STAGE_PARSE, DOC(PROC(",'user':{'uid':1.0,'gid':0}")),
     "config.json: process.user.uid: expected unsigned integer, got number"},
    {"uid as boolean", STAGE_PARSE, DOC(PROC(",'user':{'uid':true,'gid':0}")),
     "config.json: process.user.uid: expected unsigned integer, got boolean"},
    {"user without gid", STAGE_PARSE, DOC(PROC(",'user':{'uid':0}")),
     "config.json: process.user.gid: required"},
    {"rlimit above UINT64_MAX", STAGE_PARSE,
     DOC(PROC(",'rlimits':[" RLIMIT("RLIMIT_CORE", "1", "18446744073709551616") "]")),
     "config.json: line 1, column 132: integer 18446744073709551616 is out of range"},
    {"huge negative integer", STAGE_PARSE, DOC(PROC(",'oomScoreAdj':-99999999999999999999")),
     "config.json: line 1, column 97: integer -99999999999999999999 is out of range"},
    {"rlimit UINT64_MAX accepted", STAGE_OK,
     DOC(PROC(
         ",'rlimits':[" RLIMIT("RLIMIT_CORE", "18446744073709551615", "18446744073709551615") "]")),
     NULL},
    {"int64 field above INT64_MAX", STAGE_PARSE,
     LINUX("'resources':{'memory':{'limit':9223372036854775808}}"),
     "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
     "(-9223372036854775808 to 9223372036854775807)"},
    {"oomScoreAdj above int", STAGE_PARSE, DOC(PROC(",'oomScoreAdj':2147483648")),
     "config.json: process.oomScoreAdj: 2147483648 is out of range (-2147483648 to 2147483647)"},
    {"blkio weight above uint16", STAGE_PARSE, LINUX("'resources':{'blockIO':{'weight':65536}}"),
     "config.json: linux.resources.blockIO.weight: 65536 is out of range (0 to 65535)"},

    /* --- strings, arrays, objects ------------------------------------ */
    {"NUL in string", STAGE_PARSE, "{" V "," ROOT ",'process':{'cwd':'/','args':['a\\u0000b']}}",
     "config.json: process.args[0]: string contains a NUL character"},
    {"null in string array", STAGE_PARSE, DOC(PROC(",'env':['A=1',null]")),
     "config.json: process.env[1]: expected string, got null"},
    {"args not an array", STAGE_PARSE, "{" V ",'process':{'cwd':'/','args':'sh'}}",
     "config.json: process.args: expected array of strings, got string"},
    {"process not an object", STAGE_PARSE, "{" V ",'process':[]}",
     "config.json: process: expected object, got array"},
    {"annotation value not a string", STAGE_PARSE, DOC("'annotations':{'a.b':1}"),
     "config.json: annotations[\"a.b\"]: expected string, got integer"},
    {"deep nesting", STAGE_PARSE,
     "{'x':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     "config.json: syntax error at line 1, column 37: nesting too deep"},

    /* --- required fields ------------------------------------------------ */
    {"mount without destination", STAGE_PARSE, DOC("'mounts':[{'type':'tmpfs'}]"),
     "config.json: mounts[0].destination: required"},
    {"hook without path", STAGE_PARSE, DOC("'hooks':{'poststart':[{'timeout':1}]}"),
     "config.json: hooks.poststart[0].path: required"},
    {"rlimit without soft", STAGE_PARSE,
     DOC(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]")),
     "config.json: process.rlimits[0].soft: required"},
    {"process without cwd", STAGE_PARSE, "{" V ",'process':{'args':['sh']}}",
     "config.json: process.cwd: required"},
    {"seccomp without defaultAction", STAGE_PARSE, LINUX("'seccomp':{}"),
     "config.json: linux.seccomp.defaultAction: required"},

    /* --- enumerations --------------------------------------------------- */
    {"unknown rlimit", STAGE_PARSE,
     DOC(PROC(",'rlimits':[" RLIMIT("RLIMIT_CORE", "1", "1") "," RLIMIT(
         "RLIMIT_NOFILE", "1", "1") "," RLIMIT("RLIMIT_FOO", "1", "1") "]")),
     "config.json: process.rlimits[2].type: unknown rlimit \"RLIMIT_FOO\""},
    {"unknown namespace", STAGE_PARSE, LINUX("'namespaces':[{'type':'pid'},{'type':'foo'}]"),
     "config.json: linux.namespaces[1].type: unknown namespace type \"foo\""},
    {"bad seccomp action", STAGE_PARSE, LINUX("'seccomp':{'defaultAction':'SCMP_ACT_FOO'}"),
     "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\""},
    {"bad seccomp arch", STAGE_PARSE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_VAX']}"),
     "config.json: linux.seccomp.architectures[0]: unknown seccomp architecture \"SCMP_ARCH_VAX\""},
    {"bad seccomp flag", STAGE_PARSE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_X']}"),
     "config.json: linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\""},
    {"bad seccomp operator", STAGE_PARSE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
           "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}"),
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
     "\"SCMP_CMP_FOO\""},
    {"bad rootfsPropagation", STAGE_PARSE, LINUX("'rootfsPropagation':'bogus'"),
     "config.json: linux.rootfsPropagation: unknown rootfs propagation \"bogus\""},
    {"bad ioPriority class", STAGE_PARSE, DOC(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_X'}")),
     "config.json: process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_X\""},
    {"bad scheduler policy", STAGE_PARSE, DOC(PROC(",'scheduler':{'policy':'SCHED_X'}")),
     "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_X\""},
    {"bad personality domain", STAGE_PARSE, LINUX("'personality':{'domain':'BSD'}"),
     "config.json: linux.personality.domain: unknown personality domain \"BSD\""},
    {"bad memoryPolicy mode", STAGE_PARSE, LINUX("'memoryPolicy':{'mode':'MPOL_X'}"),
     "config.json: linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_X\""},
    {"bad memoryPolicy flag", STAGE_PARSE,
     LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0','flags':['MPOL_F_X']}"),
     "config.json: linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\""},
    {"bad device type", STAGE_PARSE, LINUX("'devices':[{'type':'x','path':'/dev/x'}]"),
     "config.json: linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)"},
    {"unknown clock", STAGE_PARSE, LINUX("'timeOffsets':{'realtime':{'secs':1}}"),
     "config.json: linux.timeOffsets: unknown clock \"realtime\""},

    /* --- process rules -------------------------------------------------- */
    {"empty args", STAGE_VALIDATE, "{" V ",'process':{'cwd':'/','args':[]}}",
     "config.json: process.args: must not be empty"},
    {"missing args", STAGE_VALIDATE, "{" V ",'process':{'cwd':'/'}}",
     "config.json: process.args: required"},
    {"empty args[0]", STAGE_VALIDATE, "{" V ",'process':{'cwd':'/','args':['']}}",
     "config.json: process.args[0]: must not be empty"},
    {"relative cwd", STAGE_VALIDATE, "{" V ",'process':{'cwd':'tmp','args':['sh']}}",
     "config.json: process.cwd: must be an absolute path, got \"tmp\""},
    {"env without =", STAGE_VALIDATE, DOC(PROC(",'env':['A=1','FOO']")),
     "config.json: process.env[1]: \"FOO\" is not of the form NAME=value"},
    {"rlimit soft > hard", STAGE_VALIDATE,
     DOC(PROC(",'rlimits':[" RLIMIT("RLIMIT_NOFILE", "2048", "1024") "]")),
     "config.json: process.rlimits[0]: soft limit 2048 is greater than hard limit 1024 for "
     "RLIMIT_NOFILE"},
    {"duplicate rlimit", STAGE_VALIDATE,
     DOC(PROC(",'rlimits':[" RLIMIT("RLIMIT_NOFILE", "1", "1") "," RLIMIT(
         "RLIMIT_CORE", "1", "1") "," RLIMIT("RLIMIT_NOFILE", "2", "2") "]")),
     "config.json: process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\" (also in "
     "rlimits[0])"},
    {"oomScoreAdj out of range", STAGE_VALIDATE, DOC(PROC(",'oomScoreAdj':1001")),
     "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"},
    {"umask out of range", STAGE_VALIDATE, DOC(PROC(",'user':{'uid':0,'gid':0,'umask':512}")),
     "config.json: process.user.umask: 512 is out of range (0 to 511, 0777)"},
    {"ioPriority out of range", STAGE_VALIDATE,
     DOC(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}")),
     "config.json: process.ioPriority.priority: 8 is out of range (0 to 7)"},
    {"SCHED_ISO", STAGE_VALIDATE, DOC(PROC(",'scheduler':{'policy':'SCHED_ISO'}")),
     "config.json: process.scheduler.policy: \"SCHED_ISO\" is not implemented by Linux"},
    {"FIFO priority 0", STAGE_VALIDATE,
     DOC(PROC(",'scheduler':{'policy':'SCHED_FIFO','priority':0}")),
     "config.json: process.scheduler.priority: 0 is out of range (1 to 99) for a real-time "
     "policy"},
    {"bad execCPUAffinity", STAGE_VALIDATE, DOC(PROC(",'execCPUAffinity':{'final':'0-3,a'}")),
     "config.json: process.execCPUAffinity.final: invalid CPU list \"0-3,a\" (expected e.g. "
     "\"0-3,7\")"},
    {"execCPUAffinity with spaces", STAGE_OK,
     DOC(PROC(",'execCPUAffinity':{'initial':' 1, 3 - 5 ','final':''}")), NULL},
    {"execCPUAffinity reversed range", STAGE_VALIDATE,
     DOC(PROC(",'execCPUAffinity':{'initial':'5-3'}")),
     "config.json: process.execCPUAffinity.initial: invalid CPU list \"5-3\" (expected e.g. "
     "\"0-3,7\")"},
    {"huge console", STAGE_VALIDATE,
     DOC(PROC(",'terminal':true,'consoleSize':{'height':70000,'width':80}")),
     "config.json: process.consoleSize: 80x70000 is too large (at most 65535 in each dimension)"},
    {"huge console ignored without terminal", STAGE_OK,
     DOC(PROC(",'consoleSize':{'height':70000,'width':80}")), NULL},

    /* --- mounts, hooks, document ---------------------------------------- */
    {"relative mount destination allowed", STAGE_OK,
     DOC(PROC("") ",'mounts':[{'destination':'data','type':'tmpfs','source':'tmpfs'}]"), NULL},
    {"empty mount destination", STAGE_VALIDATE, DOC("'mounts':[{'destination':''}]"),
     "config.json: mounts[0].destination: must not be empty"},
    {"mount uidMappings alone", STAGE_VALIDATE,
     DOC("'mounts':[{'destination':'/d','uidMappings':[{'containerID':0,'hostID':0,'size':1}]}]"),
     "config.json: mounts[0]: uidMappings and gidMappings must be given together"},
    {"idmap without user namespace", STAGE_VALIDATE,
     DOC("'mounts':[{'destination':'/d','options':['bind','idmap']}]"),
     "config.json: mounts[0].options: idmap needs uidMappings and gidMappings or a user "
     "namespace"},
    {"relative hook path", STAGE_VALIDATE, DOC("'hooks':{'prestart':[{'path':'hook.sh'}]}"),
     "config.json: hooks.prestart[0].path: must be an absolute path, got \"hook.sh\""},
    {"hook timeout 0", STAGE_VALIDATE, DOC("'hooks':{'poststop':[{'path':'/h','timeout':0}]}"),
     "config.json: hooks.poststop[0].timeout: must be greater than zero, got 0"},
    {"hostname without uts namespace", STAGE_VALIDATE, DOC("'hostname':'box'"),
     "config.json: hostname: setting it needs a UTS namespace (add {\"type\": \"uts\"} to "
     "linux.namespaces)"},
    {"empty hostname without uts namespace", STAGE_OK, DOC(PROC("") ",'hostname':''"), NULL},
    {"empty annotation key", STAGE_VALIDATE, DOC("'annotations':{'':'x'}"),
     "config.json: annotations[\"\"]: key must not be empty"},
    {"no root for create", STAGE_CREATE, "{" V "," PROC("") "}",
     "config.json: root.path: required to create a container"},
    {"empty root path for create", STAGE_CREATE, "{" V ",'root':{'path':''}," PROC("") "}",
     "config.json: root.path: required to create a container"},
    {"no process for create", STAGE_CREATE, "{" V "," ROOT "}",
     "config.json: process: required to start a container"},

    /* --- linux ------------------------------------------------------------ */
    {"duplicate namespace", STAGE_VALIDATE, LINUX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
     "config.json: linux.namespaces[1].type: duplicate namespace \"pid\" (also in "
     "linux.namespaces[0])"},
    {"namespace type net", STAGE_PARSE, LINUX("'namespaces':[{'type':'net','path':'x'}]"),
     "config.json: linux.namespaces[0].type: unknown namespace type \"net\""},
    {"relative namespace path", STAGE_VALIDATE,
     LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
     "config.json: linux.namespaces[0].path: must be an absolute path, got \"proc/1/ns/net\""},
    {"mappings without user namespace", STAGE_VALIDATE,
     LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
     "config.json: linux.uidMappings: needs a user namespace (add {\"type\": \"user\"} to "
     "linux.namespaces)"},
    {"mapping size 0", STAGE_VALIDATE,
     LINUX(USERNS ",'gidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
     "config.json: linux.gidMappings[0].size: must be greater than zero"},
    {"mapping containerID overflow", STAGE_VALIDATE,
     LINUX(USERNS ",'uidMappings':[{'containerID':4294967295,'hostID':0,'size':2}]"),
     "config.json: linux.uidMappings[0]: containerID 4294967295 + size 2 overflows 32 bits"},
    {"mapping hostID overflow", STAGE_VALIDATE,
     LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':4294967000,'size':1000}]"),
     "config.json: linux.uidMappings[0]: hostID 4294967000 + size 1000 overflows 32 bits"},
    {"overlapping mappings", STAGE_VALIDATE,
     LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':10},"
                  "{'containerID':5,'hostID':5000,'size':10}]"),
     "config.json: linux.uidMappings[1]: container IDs 5-14 overlap linux.uidMappings[0]"},
    {"overlapping host ranges", STAGE_VALIDATE,
     LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':10},"
                  "{'containerID':10,'hostID':1009,'size':1}]"),
     "config.json: linux.uidMappings[1]: host IDs 1009-1009 overlap linux.uidMappings[0]"},
    {"adjacent mappings", STAGE_OK,
     "{" V "," ROOT "," PROC("") ",'linux':{" USERNS
                                 ",'uidMappings':[{'containerID':0,'hostID':1000,'size':1},"
                                 "{'containerID':1,'hostID':100000,'size':65536}]}}",
     NULL},
    {"timeOffsets without time namespace", STAGE_VALIDATE,
     LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
     "config.json: linux.timeOffsets: needs a new time namespace (add {\"type\": \"time\"} to "
     "linux.namespaces)"},
    {"timeOffsets nanosecs", STAGE_VALIDATE,
     LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
     "config.json: linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0 to "
     "999999999)"},
    {"device without major", STAGE_VALIDATE,
     LINUX("'devices':[{'type':'c','path':'/dev/x','minor':1}]"),
     "config.json: linux.devices[0].major: required for type \"c\""},
    {"fifo without major", STAGE_OK,
     "{" V "," ROOT "," PROC("") ",'linux':{'devices':[{'type':'p','path':'/dev/f'}]}}", NULL},
    {"device relative path", STAGE_VALIDATE,
     LINUX("'devices':[{'type':'b','path':'dev/sda','major':8,'minor':0}]"),
     "config.json: linux.devices[0].path: must be an absolute path, got \"dev/sda\""},
    {"device fileMode", STAGE_VALIDATE,
     LINUX("'devices':[{'type':'c','path':'/dev/x','major':1,'minor':3,'fileMode':4095}]"),
     "config.json: linux.devices[0].fileMode: 4095 is out of range (0 to 511, 0777)"},
    {"netDevice bad name", STAGE_VALIDATE, LINUX("'netDevices':{'eth0':{'name':'a/b'}}"),
     "config.json: linux.netDevices[\"eth0\"].name: invalid network interface name \"a/b\""},
    {"hugepage pageSize", STAGE_VALIDATE,
     LINUX("'resources':{'hugepageLimits':[{'pageSize':'2mb','limit':1}]}"),
     "config.json: linux.resources.hugepageLimits[0].pageSize: invalid page size \"2mb\" "
     "(expected a number then KB, MB or GB, such as 2MB)"},
    {"cgroup device access", STAGE_VALIDATE,
     LINUX("'resources':{'devices':[{'allow':true,'access':'rx'}]}"),
     "config.json: linux.resources.devices[0].access: invalid access \"rx\" (expected a "
     "combination of r, w and m)"},
    {"swappiness", STAGE_VALIDATE, LINUX("'resources':{'memory':{'swappiness':101}}"),
     "config.json: linux.resources.memory.swappiness: 101 is out of range (0 to 100)"},
    {"pids limit", STAGE_VALIDATE, LINUX("'resources':{'pids':{'limit':-2}}"),
     "config.json: linux.resources.pids.limit: -2 is invalid (-1 means no limit)"},
    {"weightDevice without weight", STAGE_VALIDATE,
     LINUX("'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0}]}}"),
     "config.json: linux.resources.blockIO.weightDevice[0]: weight or leafWeight is required"},
    {"rdma without limits", STAGE_VALIDATE, LINUX("'resources':{'rdma':{'mlx5_1':{}}}"),
     "config.json: linux.resources.rdma[\"mlx5_1\"]: hcaHandles or hcaObjects is required"},
    {"unified path escape", STAGE_VALIDATE, LINUX("'resources':{'unified':{'../x':'1'}}"),
     "config.json: linux.resources.unified[\"../x\"]: invalid cgroup file name"},
    {"sysctl empty key", STAGE_VALIDATE, LINUX("'sysctl':{'':'1'}"),
     "config.json: linux.sysctl[\"\"]: key must not be empty"},
    {"sysctl dotdot", STAGE_VALIDATE, LINUX("'sysctl':{'net/../../x':'1'}"),
     "config.json: linux.sysctl[\"net/../../x\"]: invalid sysctl name"},
    {"maskedPaths relative", STAGE_VALIDATE, LINUX("'maskedPaths':['proc/kcore']"),
     "config.json: linux.maskedPaths[0]: must be an absolute path, got \"proc/kcore\""},
    {"readonlyPaths relative", STAGE_VALIDATE, LINUX("'readonlyPaths':['/ok','sys']"),
     "config.json: linux.readonlyPaths[1]: must be an absolute path, got \"sys\""},
    {"seccomp errnoRet with allow", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
           "'action':'SCMP_ACT_ALLOW','errnoRet':1}]}"),
     "config.json: linux.seccomp.syscalls[0].errnoRet: not allowed with action SCMP_ACT_ALLOW"},
    {"seccomp defaultErrnoRet with kill", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}"),
     "config.json: linux.seccomp.defaultErrnoRet: not allowed with defaultAction SCMP_ACT_KILL"},
    {"seccomp empty names", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
           "'action':'SCMP_ACT_ERRNO'}]}"),
     "config.json: linux.seccomp.syscalls[0].names: must contain at least one syscall name"},
    {"seccomp empty name", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read',''],"
           "'action':'SCMP_ACT_ERRNO'}]}"),
     "config.json: linux.seccomp.syscalls[0].names[1]: must not be empty"},
    {"seccomp arg index", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
           "'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}"),
     "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)"},
    {"seccomp notify without listener", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mount'],"
           "'action':'SCMP_ACT_NOTIFY'}]}"),
     "config.json: linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used"},
    {"seccomp notify default", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/run/agent.sock'}"),
     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default"},
    {"seccomp metadata without path", STAGE_VALIDATE,
     LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'x'}"),
     "config.json: linux.seccomp.listenerMetadata: not allowed without listenerPath"},
    {"personality flags", STAGE_VALIDATE, LINUX("'personality':{'domain':'LINUX','flags':['X']}"),
     "config.json: linux.personality.flags[0]: unsupported flag \"X\" (no personality flag is "
     "defined yet)"},
    {"memoryPolicy bind without nodes", STAGE_VALIDATE,
     LINUX("'memoryPolicy':{'mode':'MPOL_BIND'}"),
     "config.json: linux.memoryPolicy.nodes: required with this mode"},
    {"memoryPolicy default with nodes", STAGE_VALIDATE,
     LINUX("'memoryPolicy':{'mode':'MPOL_DEFAULT','nodes':'0-1'}"),
     "config.json: linux.memoryPolicy.nodes: must be empty with MPOL_DEFAULT"},
    {"memoryPolicy static and relative", STAGE_VALIDATE,
     LINUX("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-1','flags':"
           "['MPOL_F_STATIC_NODES','MPOL_F_RELATIVE_NODES']}"),
     "config.json: linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are "
     "mutually exclusive"},
    {"intelRdt memBwSchema", STAGE_VALIDATE, LINUX("'intelRdt':{'memBwSchema':'L3:0=1'}"),
     "config.json: linux.intelRdt.memBwSchema: must start with \"MB:\" and be a single line, got "
     "\"L3:0=1\""},
};

char *json_from_squoted(const char *s)
{
    char *out = strdup(s);

    for (char *p = out; p != NULL && *p != '\0'; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

/* The message of the first stage that fails, or NULL; *stage_out says which. */
static char *run_stages(const char *json, enum stage *stage_out)
{
    bw_err_t err = NULL;
    char *text = NULL;
    struct oci_config *c = oci_config_parse(json, strlen(json), "config.json", &err);

    *stage_out = STAGE_PARSE;
    if (c != NULL) {
        *stage_out = STAGE_VALIDATE;
        if (oci_config_validate(c, "config.json", &err) == 0) {
            *stage_out = STAGE_CREATE;
            if (oci_config_validate_for_create(c, "config.json", &err) == 0)
                *stage_out = STAGE_OK;
        }
    }
    if (err != NULL)
        text = bw_error_text(err);
    bw_error_free(&err);
    oci_config_free(c);
    return text;
}

static const char *const stage_names[] = {"parse", "validate", "validate_for_create", "none"};

static enum unit_result run_case(struct unit *u, const struct spec_case *t)
{
    enum stage stage;
    char *json = json_from_squoted(t->json);
    char *msg = run_stages(json, &stage);
    enum unit_result r = UNIT_PASS;

    if (stage != t->stage)
        r = unit_fail(u, "failed at stage %s, expected %s: %s", stage_names[stage],
                      stage_names[t->stage], msg != NULL ? msg : "(no error)");
    else if (t->message != NULL && strcmp(msg, t->message) != 0)
        r = unit_fail(u, "got \"%s\", want \"%s\"", msg, t->message);
    free(msg);
    free(json);
    return r;
}

int run_spec_cases(int argc, char **argv)
{
    int failed = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[160];
        struct unit u = {{0}};
        snprintf(name, sizeof(name), "case %s", cases[i].name);
        if (unit_selected(name, argc, argv))
            failed += unit_report(name, run_case(&u, &cases[i]), &u);
    }
    return failed;
}
