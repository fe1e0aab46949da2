namespace LoadDriver.Suite.Peers;

/// <summary>
/// The kit that makes the gateway intercept S6's hosts: a credential source read from the
/// gateway's environment, bound to <c>*.example.test</c>, presented as
/// <c>Authorization: Bearer %s</c> — the header mitmproxy's addon sets.
/// </summary>
internal static class InterceptKit
{
    /// <summary>Environment variable the credential is read from.</summary>
    public const string Variable = "PERF_INJECTED_TOKEN";

    /// <summary>The credential; the injected header is <c>Bearer</c> + this.</summary>
    public const string Token = "perf-injected-token";

    public static string Write(SuiteContext context) => context.WriteFile("gateway-intercept-kit/spec.yaml", $$"""
        schemaVersion: "1"
        kind: mixin
        name: perf-intercept
        description: "S6 of the performance suite: inject a bearer token into every request to the origin."
        credentials:
          sources:
            perf-token:
              env:
                - {{Variable}}
        network:
          allowedDomains:
            - "*.example.test"
          serviceDomains:
            "*.example.test": perf-token
          serviceAuth:
            perf-token:
              headerName: Authorization
              valueFormat: "Bearer %s"

        """);
}
