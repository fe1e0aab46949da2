namespace Gateway.Tests.Listeners;

/// <summary>A fact that needs root, `ip` and `nft` (network namespaces, veth, nftables); skipped, saying why, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootNetworkFactAttribute : FactAttribute
{
    public RootNetworkFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root to create a network namespace and nftables rules (CI runs as root)";
        }
        else if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip"))
        {
            Skip = "needs iproute2 (`ip`): apt-get install iproute2";
        }
        else if (!File.Exists("/usr/sbin/nft") && !File.Exists("/sbin/nft"))
        {
            Skip = "needs nftables (`nft`): apt-get install nftables";
        }
    }
}
