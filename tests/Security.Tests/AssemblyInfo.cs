// The gateway and its tests run on Linux: unix sockets, file modes, rlimits.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
