using System.Net;
using Vmm.Network;
using Vmm.Sandboxes;

namespace Vmm.Tests;

public sealed class NftRulesetTests
{
    private static readonly GatewayPorts s_ports = new(15080, 15443, 5353, 3128);

    private static string AddTransaction(GatewayPorts ports) =>
        NftRuleset.Add("egw7", IPAddress.Parse("10.209.0.29"), IPAddress.Parse("10.209.0.30"), ports);

    [Fact]
    public void Add_RedirectsWebAndDns_AndAllowsOnlyTheGatewaysPorts()
    {
        string nft = AddTransaction(s_ports);

        Assert.Contains("add rule inet egress_gateway egw7_guard ip saddr != 10.209.0.30 counter drop", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_guard meta nfproto ipv6 counter drop", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_dnat tcp dport 80 redirect to :15080", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_dnat tcp dport 443 redirect to :15443", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_dnat meta l4proto { tcp, udp } th dport 53 redirect to :5353", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_in ip daddr != 10.209.0.29 counter drop", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_in tcp dport { 15080, 15443, 5353, 3128 } accept", nft, StringComparison.Ordinal);
        Assert.Contains("add rule inet egress_gateway egw7_in udp dport 5353 accept", nft, StringComparison.Ordinal);
        Assert.EndsWith("add element inet egress_gateway forward_by_if { \"egw7\" : jump egw7_fwd }\n", nft, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_WithoutAReachableForwardProxy_OpensNoForwardPort()
    {
        string nft = AddTransaction(s_ports with { Forward = null });

        Assert.Contains("add rule inet egress_gateway egw7_in tcp dport { 15080, 15443, 5353 } accept", nft, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_EndsEverySandboxChainInACountedDrop()
    {
        string nft = AddTransaction(s_ports);

        foreach (string chain in NftRuleset.ChainsOf("egw7"))
        {
            if (!chain.EndsWith("_dnat", StringComparison.Ordinal))
            {
                string last = nft.Split('\n').Last(l => l.StartsWith($"add rule inet egress_gateway {chain} ", StringComparison.Ordinal));
                Assert.Contains("counter drop", last, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Remove_ReaddsEachElementAndChainBeforeDeletingIt()
    {
        string[] lines = NftRuleset.Remove("egw7").Split('\n');

        foreach (string chain in NftRuleset.ChainsOf("egw7"))
        {
            int added = Array.IndexOf(lines, $"add chain inet egress_gateway {chain}");
            int deleted = Array.IndexOf(lines, $"delete chain inet egress_gateway {chain}");
            Assert.InRange(added, 0, deleted - 1);
        }
    }

    [RootNetworkFact]
    public async Task BothTransactions_PassNftsOwnCheck()
    {
        foreach (string transaction in (string[])[AddTransaction(s_ports), NftRuleset.Remove("egw7")])
        {
            ToolResult check = await Tool.RunAsync("sh", ["-c", "printf '%s' \"$0\" | nft -c -f -", transaction]);
            check.AssertSuccess();
        }
    }
}
