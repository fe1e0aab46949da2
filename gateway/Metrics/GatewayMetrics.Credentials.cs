using PolicyCompiler.Kits;
using Prometheus;

namespace Gateway.Metrics;

/// <summary><c>gateway_credential_fetches_total{source,result}</c>: reads and mints of credential sources.</summary>
internal sealed partial class GatewayMetrics
{
    private Counter.Child[] _credentialFetches = [];

    /// <summary>One read (env, file) or fetch (command, token endpoint) of a credential source and how it ended.</summary>
    public void RecordCredentialFetch(KitSourceKind kind, bool ok) => _credentialFetches[((int)kind * 2) + (ok ? 0 : 1)].Inc();

    // The label is the source's kind, not its configured name: a closed set, resolved once, as every label here.
    private static Counter.Child[] CreateCredentialFetches(IMetricFactory factory)
    {
        Counter counter = factory.CreateCounter(
            "gateway_credential_fetches_total",
            "Credential source reads (env, file) and fetches (command, oauth2, googleServiceAccount, githubApp), by source kind and result (ok|error). Cached values are not fetches.",
            ["source", "result"]);
        var children = new Counter.Child[MetricLabels.CredentialSources.Length * 2];
        for (int kind = 0; kind < MetricLabels.CredentialSources.Length; kind++)
        {
            children[kind * 2] = counter.WithLabels(MetricLabels.CredentialSources[kind], "ok");
            children[(kind * 2) + 1] = counter.WithLabels(MetricLabels.CredentialSources[kind], "error");
        }

        return children;
    }
}
