using System.Net;
using System.Net.Sockets;

namespace Security.Tests.Harness;

/// <summary>Loopback ports free now, for a gateway the test starts (the kernel picks them; the caller binds them soon).</summary>
internal static class FreePorts
{
    /// <summary>A TCP port free on 127.0.0.1.</summary>
    public static int Tcp()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A port free on 127.0.0.1 for both UDP and TCP: the DNS listener binds both (and the load
    /// tests' outgoing connections use TCP ephemeral ports all the time).
    /// </summary>
    public static int Dns()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = Tcp();
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no port free for both UDP and TCP");
    }
}
