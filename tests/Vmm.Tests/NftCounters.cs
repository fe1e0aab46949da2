using System.Globalization;
using System.Text.RegularExpressions;

namespace Vmm.Tests;

/// <summary>Reads the packet counters of a sandbox chain's drop rules from <c>nft list chain</c>.</summary>
internal static partial class NftCounters
{
    /// <summary>Packets dropped so far by the rules of <paramref name="chain"/> whose comment contains <paramref name="comment"/>.</summary>
    public static async Task<long> DroppedAsync(string chain, string comment)
    {
        ToolResult list = (await Tool.RunAsync("nft", ["list", "chain", "inet", "egress_gateway", chain])).AssertSuccess();
        long packets = 0;
        foreach (string line in list.Stdout.Split('\n'))
        {
            Match match = Counter().Match(line);
            if (match.Success && line.Contains(comment, StringComparison.Ordinal))
            {
                packets += long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return packets;
    }

    [GeneratedRegex(@"counter packets (\d+) bytes \d+ drop")]
    private static partial Regex Counter();
}
