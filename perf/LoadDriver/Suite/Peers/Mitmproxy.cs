using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>
/// mitmdump intercepting every CONNECT with an addon that sets the same Authorization header
/// the gateway injects; it verifies the origin against the origin CA, as the gateway does.
/// The addon also sends every upstream connection to the origin, since the test host names
/// resolve nowhere (the gateway gets the same through <c>resolve.hosts</c>).
/// </summary>
internal static class Mitmproxy
{
    public const string InjectedValue = "Bearer " + InterceptKit.Token;

    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int port = Ports.Free();
        string confdir = Path.Combine(context.Work, "mitmproxy");
        string addon = context.WriteFile("mitmproxy/add_header.py", string.Create(CultureInfo.InvariantCulture, $"""
            class AddHeader:
                def server_connect(self, data):
                    data.server.address = ("127.0.0.1", {context.OriginTls})

                def request(self, flow):
                    flow.request.headers["Authorization"] = "{InjectedValue}"


            addons = [AddHeader()]

            """));
        ManagedProcess process = context.StartProxy(
            "mitmproxy",
            null,
            "mitmdump",
            "--listen-host", "127.0.0.1",
            "--listen-port", port.ToString(CultureInfo.InvariantCulture),
            "--set", "confdir=" + confdir,
            "--set", "ssl_verify_upstream_trusted_ca=" + context.OriginCaPath,
            "--set", "flow_detail=0",
            "-q",
            "-s", addon);
        return await new Peer("mitmproxy", process) { Connect = port }.ReadyAsync(port).ConfigureAwait(false);
    }

    /// <summary>The CA mitmproxy generated on first start.</summary>
    public static string CaPath(SuiteContext context) => Path.Combine(context.Work, "mitmproxy", "mitmproxy-ca-cert.pem");
}
