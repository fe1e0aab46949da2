using LoadDriver.Load;
using LoadDriver.Suite.Peers;

namespace LoadDriver.Suite;

/// <summary>
/// Finds out what this gateway build supports, by trying it rather than by version: S2 and
/// S6 run only when the feature works, and are reported "not run" with the reason otherwise.
/// </summary>
internal static class GatewayFeatures
{
    /// <summary>
    /// SOCKS5 upstream: a gateway pointed at a SOCKS5 port nothing listens on must fail a
    /// tunnel; one that reaches the origin anyway accepted <c>upstream.socks5</c> but ignores it.
    /// Null when supported, else the reason.
    /// </summary>
    public static async Task<string?> Socks5ReasonAsync(SuiteContext context)
    {
        Peer probe;
        try
        {
            probe = await Gateway.StartAsync(context, new GatewaySetup("gateway-socks-probe", Socks5Port: Ports.Free())).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return "this gateway build does not start with upstream.socks5 set: " + e.Message;
        }

        try
        {
            var route = new Route(RouteKind.HttpConnect, Ports.Loopback(probe.Connect), context.OriginHttp);
            var spec = new LoadSpec(route, HostSet.Single("127.0.0.1"), TunnelPerRequest: true, BodySize: 16, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(15));
            await using var worker = new RequestWorker(spec, new ResponseVerifier(16));
            bool reached = await worker.RunAsync(0, record: true).ConfigureAwait(false);
            return reached
                ? "this gateway build accepts upstream.socks5 but does not use it (a tunnel reached the origin with the SOCKS5 proxy down)"
                : null;
        }
        finally
        {
            SuiteContext.Stop(probe.Process);
        }
    }

    /// <summary>
    /// Interception end to end: one request through <paramref name="gateway"/> (started with the
    /// interception kit) must present a leaf of the exported CA and reach the origin with the
    /// injected header. Null when it does, else the reason.
    /// </summary>
    public static async Task<string?> InterceptionReasonAsync(SuiteContext context, Peer gateway, System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        var route = new Route(RouteKind.HttpConnect, Ports.Loopback(gateway.Connect), context.OriginTls, ca);
        string header = LoadDriver.Origin.OriginServer.SeenAuthorizationHeader(Mitmproxy.InjectedValue);
        var spec = new LoadSpec(route, HostSet.Single("h0.example.test"), TunnelPerRequest: true, BodySize: 16, header, TimeSpan.FromSeconds(15));
        await using var worker = new RequestWorker(spec, new ResponseVerifier(16, header));
        if (await worker.RunAsync(0, record: true).ConfigureAwait(false))
        {
            return null;
        }

        string kind = worker.Result.Errors.Keys.FirstOrDefault() ?? "";
        return kind switch
        {
            "tls" => "this gateway build exports a CA but does not intercept: the tunnel carried a certificate the CA did not sign (" + worker.Result.FirstError + ")",
            "verify-BadHeader" => "this gateway build intercepts but did not inject the kit's header",
            _ => "an intercepted request through the gateway failed: " + worker.Result.FirstError,
        };
    }

    /// <summary>Interception: <c>gateway ca export</c> must print the CA. Returns the PEM path, or null with the reason.</summary>
    public static (string? CaPath, string? Reason) InterceptionCa(SuiteContext context, string stateDir)
    {
        Directory.CreateDirectory(stateDir);
        (int exit, string output, string error) = ExternalCommand.Run(TimeSpan.FromSeconds(60), "dotnet", context.GatewayDll, "ca", "export", "--state-dir", stateDir);
        if (exit != 0 || !output.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            string why = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            return (null, $"this gateway build has no working `gateway ca export` (exit {exit}: {why.Trim()}), so no interception");
        }

        string path = Path.Combine(stateDir, "exported-ca.pem");
        File.WriteAllText(path, output);
        return (path, null);
    }
}
