// vmm drives Linux network namespaces, veth/tap links and nftables: it runs nowhere else.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
