using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Relay;

/// <summary>Loopback socket helpers for the relay tests; every operation takes the test's deadline.</summary>
internal static class SocketIo
{
    public static async Task<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancellation)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellation);
        return socket;
    }

    /// <summary>A connected pair on 127.0.0.1: (the side handed to the relay, the peer the test drives).</summary>
    public static async Task<(Socket Relay, Socket Peer)> PairAsync(CancellationToken cancellation)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Task<Socket> accept = listener.AcceptAsync(cancellation).AsTask();
        Socket relay = await ConnectAsync(listener.LocalEndPoint!, cancellation);
        return (relay, await accept);
    }

    public static async Task SendAsync(Socket socket, string text, CancellationToken cancellation)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(bytes, SocketFlags.None, cancellation);
    }

    public static async Task<string> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellation)
    {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellation);
            Assert.True(n > 0, $"end of stream after {read} of {count} bytes");
            read += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Reads until end of stream or reset; says which.</summary>
    public static async Task<(string Text, bool Reset)> ReadToEndAsync(Socket socket, CancellationToken cancellation)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
                if (n == 0)
                {
                    return (System.Text.Encoding.ASCII.GetString(received.ToArray()), false);
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return (System.Text.Encoding.ASCII.GetString(received.ToArray()), true);
        }
    }
}
