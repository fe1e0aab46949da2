using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>tinyproxy as a CONNECT proxy: critical-only logging, a two-rule allow filter, enough clients for S7.</summary>
internal static class Tinyproxy
{
    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int port = Ports.Free();
        string filter = context.WriteFile("tinyproxy/filter", "^127\\.0\\.0\\.1$\n\\.example\\.test$\n");
        string config = context.WriteFile("tinyproxy/tinyproxy.conf", string.Create(CultureInfo.InvariantCulture, $"""
            User nobody
            Group nogroup
            Port {port}
            Listen 127.0.0.1
            Timeout 600
            MaxClients 12000
            Allow 127.0.0.0/8
            LogLevel Critical
            DisableViaHeader Yes
            Filter "{filter}"
            FilterExtended On
            FilterDefaultDeny Yes

            """));
        ManagedProcess process = context.StartProxy("tinyproxy", null, "tinyproxy", "-d", "-c", config);
        return await new Peer("tinyproxy", process) { Connect = port }.ReadyAsync(port).ConfigureAwait(false);
    }
}
