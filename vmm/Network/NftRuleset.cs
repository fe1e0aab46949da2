using System.Globalization;
using System.Net;
using System.Text;
using Vmm.Sandboxes;

namespace Vmm.Network;

/// <summary>
/// The nftables transactions for sandboxes, applied with <c>nft -f</c> so each is all or nothing.
/// One table, <c>inet egress_gateway</c>; five base chains dispatch by input interface through
/// verdict maps to five chains per sandbox interface:
/// <list type="bullet">
/// <item><c>IF_guard</c> (prerouting, raw): drops IPv6 and any source but the sandbox's own address (anti-spoofing), before conntrack or NAT see it.</item>
/// <item><c>IF_dnat</c> (prerouting, dstnat): TCP 80 and 443 to any address go to the transparent listeners, UDP/TCP 53 to the gateway's DNS; <c>redirect</c> rewrites the destination to the interface's own address, the host end of the /30.</item>
/// <item><c>IF_route</c> (prerouting, after dstnat): anything not addressed to the host (another sandbox, the world) dropped and counted, whether or not the host forwards.</item>
/// <item><c>IF_in</c> (input): only the host end's address, only the gateway's sandbox-facing ports and echo requests; the host's other addresses and services (metrics included) are dropped and counted.</item>
/// <item><c>IF_fwd</c> (forward): everything dropped and counted, in case anything is ever routed on.</item>
/// </list>
/// The base chains are flushed and refilled by every create, so they always hold exactly one
/// dispatch rule whatever ran before; a removal first re-adds what it deletes, so it cannot fail
/// on what a crash already removed.
/// </summary>
internal static class NftRuleset
{
    /// <summary>The one table vmm owns.</summary>
    public const string Table = "egress_gateway";

    private const string Family = "inet";

    // (map, base chain, hook spec, per-sandbox chain suffix)
    private static readonly (string Map, string Hook, string Spec, string Suffix)[] s_hooks =
    [
        ("guard_by_if", "guard_prerouting", "type filter hook prerouting priority raw ; policy accept ;", "_guard"),
        ("dnat_by_if", "dnat_prerouting", "type nat hook prerouting priority dstnat ; policy accept ;", "_dnat"),
        ("route_by_if", "route_prerouting", "type filter hook prerouting priority dstnat + 10 ; policy accept ;", "_route"),
        ("input_by_if", "filter_input", "type filter hook input priority filter ; policy accept ;", "_in"),
        ("forward_by_if", "filter_forward", "type filter hook forward priority filter ; policy accept ;", "_fwd"),
    ];

    /// <summary>The chains of one sandbox interface, as <c>nft list chains</c> names them.</summary>
    public static IEnumerable<string> ChainsOf(string hostInterface)
    {
        foreach ((_, _, _, string suffix) in s_hooks)
        {
            yield return hostInterface + suffix;
        }
    }

    /// <summary>The transaction that adds (or replaces) one sandbox's chains.</summary>
    public static string Add(string hostInterface, IPAddress hostAddress, IPAddress sandboxAddress, GatewayPorts ports)
    {
        var nft = new StringBuilder();
        Skeleton(nft);
        foreach ((string map, string hook, _, _) in s_hooks)
        {
            Line(nft, $"flush chain {Family} {Table} {hook}");
            Line(nft, $"add rule {Family} {Table} {hook} iifname vmap @{map}");
        }

        string prefix = hostInterface;
        Chain(nft, prefix + "_guard");
        Rule(nft, prefix + "_guard", "meta nfproto ipv6 counter drop comment \"IPv6\"");
        Rule(nft, prefix + "_guard", $"ip saddr != {sandboxAddress} counter drop comment \"spoofed source address\"");

        Chain(nft, prefix + "_dnat");
        Rule(nft, prefix + "_dnat", $"tcp dport 80 redirect to :{Port(ports.TransparentHttp)}");
        Rule(nft, prefix + "_dnat", $"tcp dport 443 redirect to :{Port(ports.TransparentTls)}");
        Rule(nft, prefix + "_dnat", $"meta l4proto {{ tcp, udp }} th dport 53 redirect to :{Port(ports.Dns)}");

        // After NAT, so a redirected connection counts as local; everything else would be routed
        // on, and is dropped and counted here whether or not the host forwards IPv4 at all.
        Chain(nft, prefix + "_route");
        Rule(nft, prefix + "_route", "fib daddr type != local counter drop comment \"not addressed to the host\"");

        var tcp = new List<int> { ports.TransparentHttp, ports.TransparentTls, ports.Dns };
        if (ports.Forward is { } forward && ports.ForwardAddress is null && !tcp.Contains(forward))
        {
            tcp.Add(forward);
        }

        Chain(nft, prefix + "_in");
        if (ports.Forward is { } bound && ports.ForwardAddress is { } address)
        {
            // A forward proxy bound to one address of the host: that address and port, nothing else there.
            Rule(nft, prefix + "_in", $"ip daddr {address} tcp dport {Port(bound)} accept comment \"the forward proxy's own address\"");
        }

        Rule(nft, prefix + "_in", $"ip daddr != {hostAddress} counter drop comment \"host address other than the gateway's on this link\"");
        Rule(nft, prefix + "_in", $"tcp dport {{ {string.Join(", ", tcp.ConvertAll(Port))} }} accept");
        Rule(nft, prefix + "_in", $"udp dport {Port(ports.Dns)} accept");
        Rule(nft, prefix + "_in", "icmp type echo-request limit rate 10/second accept");
        Rule(nft, prefix + "_in", "counter drop comment \"not a gateway port\"");

        Chain(nft, prefix + "_fwd");
        Rule(nft, prefix + "_fwd", "counter drop comment \"sandboxes reach nothing but the gateway\"");

        foreach ((string map, _, _, string suffix) in s_hooks)
        {
            Line(nft, $"add element {Family} {Table} {map} {{ \"{hostInterface}\" : jump {hostInterface}{suffix} }}");
        }

        return nft.ToString();
    }

    /// <summary>The transaction that removes one sandbox interface's chains, whether or not they exist.</summary>
    public static string Remove(string hostInterface)
    {
        var nft = new StringBuilder();
        Skeleton(nft);
        foreach ((string map, _, _, string suffix) in s_hooks)
        {
            string chain = hostInterface + suffix;
            Line(nft, $"add chain {Family} {Table} {chain}");
            Line(nft, $"add element {Family} {Table} {map} {{ \"{hostInterface}\" : jump {chain} }}");
            Line(nft, $"delete element {Family} {Table} {map} {{ \"{hostInterface}\" }}");
            Line(nft, $"flush chain {Family} {Table} {chain}");
            Line(nft, $"delete chain {Family} {Table} {chain}");
        }

        return nft.ToString();
    }

    /// <summary>Adds (or replaces) one sandbox interface's chains, under the host lock.</summary>
    public static async Task AddAsync(string hostInterface, IPAddress hostAddress, IPAddress sandboxAddress, GatewayPorts ports, CancellationToken cancellation)
    {
        using FileStream hostLock = await HostLock.AcquireAsync(cancellation).ConfigureAwait(false);
        await ApplyAsync(Add(hostInterface, hostAddress, sandboxAddress, ports), cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes one sandbox interface's chains and, when no sandbox's chain is left, the whole table:
    /// its base chains stay hooked into every packet's path otherwise. Under the host lock, so a
    /// create never adds its chains to a table that is being deleted.
    /// </summary>
    public static async Task RemoveAsync(string hostInterface, CancellationToken cancellation)
    {
        using FileStream hostLock = await HostLock.AcquireAsync(cancellation).ConfigureAwait(false);
        await ApplyAsync(Remove(hostInterface), cancellation).ConfigureAwait(false);
        await DeleteTableIfUnusedAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Deletes the table when it holds no sandbox's chain; the caller holds the host lock.</summary>
    public static async Task<bool> DeleteTableIfUnusedAsync(CancellationToken cancellation)
    {
        (int exit, string stdout, _) = await HostCommand.TryRunAsync("nft", ["list", "table", Family, Table], cancellation: cancellation).ConfigureAwait(false);
        if (exit != 0)
        {
            return false;
        }

        foreach (string chain in ChainNames(stdout))
        {
            int underscore = chain.IndexOf('_', StringComparison.Ordinal);
            if (underscore > 0 && AddressBlock.TryParseInterface(chain[..underscore], out _))
            {
                return false;
            }
        }

        await ApplyAsync($"delete table {Family} {Table}\n", cancellation).ConfigureAwait(false);
        return true;
    }

    /// <summary>Applies a transaction atomically.</summary>
    public static Task ApplyAsync(string transaction, CancellationToken cancellation) =>
        HostCommand.RunAsync("nft", ["-f", "-"], transaction, cancellation);

    /// <summary>Names of the chains in vmm's table (empty when there is no table).</summary>
    public static async Task<List<string>> ListChainsAsync(CancellationToken cancellation)
    {
        (int exit, string stdout, _) = await HostCommand.TryRunAsync("nft", ["list", "table", Family, Table], cancellation: cancellation).ConfigureAwait(false);
        return exit == 0 ? ChainNames(stdout) : [];
    }

    private static List<string> ChainNames(string listing)
    {
        var chains = new List<string>();
        foreach (string line in listing.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("chain ", StringComparison.Ordinal) && trimmed.EndsWith('{'))
            {
                chains.Add(trimmed["chain ".Length..^1].Trim());
            }
        }

        return chains;
    }

    private static void Skeleton(StringBuilder nft)
    {
        Line(nft, $"add table {Family} {Table}");
        foreach ((string map, string hook, string spec, _) in s_hooks)
        {
            Line(nft, $"add map {Family} {Table} {map} {{ type ifname : verdict ; }}");
            Line(nft, $"add chain {Family} {Table} {hook} {{ {spec} }}");
        }
    }

    private static void Chain(StringBuilder nft, string chain)
    {
        Line(nft, $"add chain {Family} {Table} {chain}");
        Line(nft, $"flush chain {Family} {Table} {chain}");
    }

    private static void Rule(StringBuilder nft, string chain, string rule) => Line(nft, $"add rule {Family} {Table} {chain} {rule}");

    private static void Line(StringBuilder nft, string line) => nft.Append(line).Append('\n');

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
