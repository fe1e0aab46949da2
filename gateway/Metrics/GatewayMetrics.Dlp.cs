using Gateway.Interception.Dlp;
using Prometheus;

namespace Gateway.Metrics;

/// <summary><c>gateway_dlp_hits_total{pattern}</c>: outgoing DLP hits on intercepted requests.</summary>
internal sealed partial class GatewayMetrics
{
    private Counter.Child[] _dlpHits = [];

    /// <summary>One request in which DLP found <paramref name="pattern"/> (refused, or let through under <c>network.dlp: report</c>).</summary>
    public void RecordDlpHit(DlpPattern pattern) => _dlpHits[(int)pattern - 1].Inc();

    // The label is the pattern's name: a closed set, resolved once; never the match, never a host.
    private static Counter.Child[] CreateDlpHits(IMetricFactory factory)
    {
        Counter counter = factory.CreateCounter(
            "gateway_dlp_hits_total",
            "Intercepted requests in which outgoing DLP found a secret, by pattern (credential, placeholder, aws_access_key_id, github_token, …; the audit reason spells them with hyphens); refused, or let through with network.dlp: report.",
            ["pattern"]);
        ReadOnlySpan<string> labels = DlpPatterns.Labels;
        var children = new Counter.Child[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            children[i] = counter.WithLabels(labels[i]);
        }

        return children;
    }
}
