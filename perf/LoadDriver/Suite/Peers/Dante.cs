using System.Globalization;

namespace LoadDriver.Suite.Peers;

/// <summary>
/// Dante as a SOCKS5 server, no authentication, errors-only log (the configuration ENVIRONMENT.md
/// records), dialling out from 127.0.0.2: Dante binds before it connects, and a bind cannot reuse
/// the 127.0.0.1 ports the other subjects' closed connections hold in TIME_WAIT, so after a fast
/// run it would answer "network unreachable" for want of a port.
/// </summary>
internal static class Dante
{
    public static async Task<Peer> StartAsync(SuiteContext context)
    {
        int port = Ports.Free();
        string dir = Path.Combine(context.Work, "dante");
        string config = context.WriteFile("dante/danted.conf", string.Create(CultureInfo.InvariantCulture, $$"""
            logoutput: {{dir}}/danted.log
            internal: 127.0.0.1 port = {{port}}
            external: 127.0.0.2
            clientmethod: none
            socksmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass {
              from: 127.0.0.0/8 to: 0.0.0.0/0
            }
            socks pass {
              from: 127.0.0.0/8 to: 0.0.0.0/0
              command: connect
            }

            """));
        ManagedProcess process = context.StartProxy("dante", null, "danted", "-f", config, "-N", "1");
        return await new Peer("dante", process) { Socks = port }.ReadyAsync(port).ConfigureAwait(false);
    }
}
