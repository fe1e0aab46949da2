// The gateway and its tests run on Linux: unix sockets, file modes, network namespaces.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
