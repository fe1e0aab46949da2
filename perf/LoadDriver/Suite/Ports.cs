using System.Net;
using System.Net.Sockets;

namespace LoadDriver.Suite;

/// <summary>Free loopback ports for the peers' listeners.</summary>
internal static class Ports
{
    private static readonly HashSet<int> s_given = [];

    /// <summary>A port on 127.0.0.1 nothing listens on now and this suite has not handed out before.</summary>
    public static int Free()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            if (s_given.Add(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free loopback port");
    }

    /// <summary>127.0.0.1:<paramref name="port"/>.</summary>
    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}
