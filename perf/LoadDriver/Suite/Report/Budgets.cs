using System.Globalization;

namespace LoadDriver.Suite.Report;

/// <summary>The side-by-side budgets of DESIGN.md ("Performance budgets"), checked against this run's medians.</summary>
internal static class Budgets
{
    /// <summary>One row per budget: what it asks, what was measured, and the verdict.</summary>
    public static List<(string Budget, string Measured, string Verdict)> Check(IReadOnlyList<Aggregate> all)
    {
        var rows = new List<(string, string, string)>();
        foreach (string variant in (string[])["1 stream", "8 streams"])
        {
            rows.Add(Ratio($"S1 bulk through CONNECT ≥ 1.0× HAProxy TCP mode ({variant})", Find(all, "S1", variant, "gateway"), Find(all, "S1", variant, "haproxy"), 1.0));
        }

        rows.Add(Ratio("S3 new CONNECT tunnels/s ≥ 1.5× Squid", Find(all, "S3", "max (closed loop)", "gateway"), Find(all, "S3", "max (closed loop)", "squid"), 1.5));
        rows.Add(Ratio("S3 new CONNECT tunnels/s ≥ 1.0× tinyproxy", Find(all, "S3", "max (closed loop)", "gateway"), Find(all, "S3", "max (closed loop)", "tinyproxy"), 1.0));
        rows.Add(AddedP99(all));
        rows.Add(Ratio("S5 SNI routing ≥ 1.0× nginx ssl_preread", Find(all, "S5", null, "gateway"), Find(all, "S5", null, "nginx"), 1.0));
        rows.Add(Ratio("S5 SNI routing ≥ 1.0× HAProxy req.ssl_sni", Find(all, "S5", null, "gateway"), Find(all, "S5", null, "haproxy"), 1.0));
        foreach (string variant in (string[])["warm", "cold"])
        {
            rows.Add(Ratio($"S6 intercepted HTTPS with injection ≥ 20× mitmproxy ({variant})", Find(all, "S6", variant, "gateway"), Find(all, "S6", variant, "mitmproxy"), 20));
        }

        rows.Add(Ratio("S2 SOCKS5 upstream path ≥ 0.9× Dante alone", Find(all, "S2", null, "gateway→dante"), Find(all, "S2", null, "dante"), 0.9));
        rows.Add(CpuAgainstPeers(all));
        return rows;
    }

    private static (string, string, string) Ratio(string budget, Aggregate? gateway, Aggregate? peer, double needed)
    {
        if (gateway is null || peer is null || peer.Median == 0)
        {
            return (budget, "—", "not run (" + (gateway is null ? "gateway" : "peer") + " not measured)");
        }

        double ratio = gateway.Median / peer.Median;
        string measured = string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}× ({Format.Number(gateway.Median)} vs {Format.Number(peer.Median)} {gateway.Unit})");
        return (budget, measured, ratio >= needed ? "meets" : "**behind**");
    }

    private static (string, string, string) AddedP99(IReadOnlyList<Aggregate> all)
    {
        const string Budget = "S3 added p99 ≤ 1 ms at 70 % of the gateway's max (open loop)";
        Aggregate? gateway = all.FirstOrDefault(a => a.Scenario == "S3" && a.Variant.StartsWith("open loop", StringComparison.Ordinal) && a.Subject == "gateway");
        Aggregate? direct = all.FirstOrDefault(a => a.Scenario == "S3" && a.Variant.StartsWith("open loop", StringComparison.Ordinal) && a.Subject == "direct");
        if (gateway?.P99 is not { } g || direct?.P99 is not { } d)
        {
            return (Budget, "—", "not run");
        }

        double added = (g - d) / 1000;
        string verdict = added < 0 ? "inconclusive: direct's own p99 was worse (noise from other load)" : added <= 1 ? "meets" : "**behind**";
        return (Budget, string.Create(CultureInfo.InvariantCulture, $"{added:F2} ms (p99 {g / 1000:F2} ms vs direct {d / 1000:F2} ms)"), verdict);
    }

    private static (string, string, string) CpuAgainstPeers(IReadOnlyList<Aggregate> all)
    {
        var behind = new List<string>();
        int compared = 0;
        foreach (Aggregate gateway in all.Where(a => a.Subject == "gateway" && a.CpuUs is not null))
        {
            foreach (Aggregate peer in all.Where(a => a.Scenario == gateway.Scenario && a.Variant == gateway.Variant && a.Subject != "gateway" && a.CpuUs is not null))
            {
                compared++;
                if (gateway.CpuUs > peer.CpuUs)
                {
                    behind.Add(string.Create(CultureInfo.InvariantCulture, $"{gateway.Scenario} {peer.Subject} {gateway.CpuUs:F1} vs {peer.CpuUs:F1}"));
                }
            }
        }

        string measured = compared == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{compared - behind.Count} of {compared} comparisons at or below the peer");
        string verdict = compared == 0 ? "not run" : behind.Count == 0 ? "meets" : "**behind**: " + string.Join("; ", behind);
        return ("CPU-µs per request ≤ every peer's", measured, verdict);
    }

    private static Aggregate? Find(IReadOnlyList<Aggregate> all, string scenario, string? variantPrefix, string subject) =>
        all.FirstOrDefault(a => a.Scenario == scenario && a.Subject == subject && (variantPrefix is null || a.Variant.StartsWith(variantPrefix, StringComparison.Ordinal)));
}
