using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace LoadDriver.Load;

/// <summary>
/// Opens one connection along a <see cref="Route"/>: TCP, then CONNECT or SOCKS5 when the
/// route has a proxy, then TLS when it has a trusted root. Failures are <see cref="LoadException"/>
/// with the kind the run counts them under.
/// </summary>
internal static class TunnelDialer
{
    private const int MaxProxyHead = 4096;
    private const int SourceAddresses = 250;

    private static int s_nextSource;

    /// <summary>Opens a stream to <paramref name="host"/> through <paramref name="route"/>.</summary>
    public static async Task<Stream> OpenAsync(Route route, string host, CancellationToken cancellation)
    {
        var socket = new Socket(route.Connect.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            try
            {
                if (route.Source is { } source)
                {
                    socket.Bind(new IPEndPoint(source, 0));
                }
                else if (IPAddress.IsLoopback(route.Connect.Address) && route.Connect.AddressFamily == AddressFamily.InterNetwork)
                {
                    // Tens of thousands of short connections a second from 127.0.0.1 alone run out of
                    // ephemeral ports (TIME_WAIT): spread them over 127.0.1.2 … 127.0.1.251.
                    int spread = (int)((uint)Interlocked.Increment(ref s_nextSource) % SourceAddresses);
                    socket.Bind(new IPEndPoint(new IPAddress([127, 0, 1, (byte)(spread + 2)]), 0));
                }

                await socket.ConnectAsync(route.Connect, cancellation).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new LoadException("connect", e.SocketErrorCode.ToString());
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            switch (route.Kind)
            {
                case RouteKind.HttpConnect:
                    await ConnectAsync(stream, host, route.TargetPort, cancellation).ConfigureAwait(false);
                    break;
                case RouteKind.Socks5:
                    await Socks5Async(stream, host, route.TargetPort, cancellation).ConfigureAwait(false);
                    break;
                default:
                    break;
            }

            if (route.TrustedRoot is { } root)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                try
                {
                    await tls.AuthenticateAsClientAsync(ClientOptions(host, root), cancellation).ConfigureAwait(false);
                }
                catch (AuthenticationException e)
                {
                    throw new LoadException("tls", e.Message);
                }
            }

            Stream result = stream;
            stream = null;
            return result;
        }
        catch (IOException e)
        {
            throw new LoadException("io", e.Message);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else if (!socket.Connected)
            {
                socket.Dispose();
            }
        }
    }

    private static SslClientAuthenticationOptions ClientOptions(string host, X509Certificate2 root)
    {
        var chain = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chain.CustomTrustStore.Add(root);
        return new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateChainPolicy = chain,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
    }

    private static async Task ConnectAsync(Stream stream, string host, int port, CancellationToken cancellation)
    {
        string authority = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        byte[] head = Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        await stream.WriteAsync(head, cancellation).ConfigureAwait(false);

        // Read byte-exact up to the blank line: whatever follows belongs to the origin (TLS).
        byte[] buffer = new byte[MaxProxyHead];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                throw new LoadException("proxy", "CONNECT response head too long");
            }

            int read = await stream.ReadAsync(buffer.AsMemory(length, 1), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new LoadException("proxy", "closed before answering CONNECT");
            }

            length++;
            if (length >= 4 && buffer.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
            {
                break;
            }
        }

        // "HTTP/1.1 200 Connection established", "HTTP/1.0 200 …": the status is at 9..12.
        if (length < 12 || !buffer.AsSpan(0, 5).SequenceEqual("HTTP/"u8) || !buffer.AsSpan(9, 3).SequenceEqual("200"u8))
        {
            throw new LoadException("proxy", Encoding.ASCII.GetString(buffer, 0, Math.Min(length, 40)).Split('\r')[0]);
        }
    }

    private static async Task Socks5Async(Stream stream, string host, int port, CancellationToken cancellation)
    {
        // RFC 1928 §3: version 5, one method, "no authentication required".
        await stream.WriteAsync(new byte[] { 5, 1, 0 }, cancellation).ConfigureAwait(false);
        byte[] reply = new byte[262];
        await stream.ReadExactlyAsync(reply.AsMemory(0, 2), cancellation).ConfigureAwait(false);
        if (reply[0] != 5 || reply[1] != 0)
        {
            throw new LoadException("proxy", "SOCKS5 method refused");
        }

        // RFC 1928 §4: CONNECT to an IPv4 literal, else a domain name.
        byte[] request;
        if (IPAddress.TryParse(host, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetwork)
        {
            request = new byte[10];
            request[3] = 1;
            address.TryWriteBytes(request.AsSpan(4, 4), out _);
        }
        else
        {
            byte[] name = Encoding.ASCII.GetBytes(host);
            request = new byte[7 + name.Length];
            request[3] = 3;
            request[4] = (byte)name.Length;
            name.CopyTo(request, 5);
        }

        request[0] = 5;
        request[1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(request.Length - 2), (ushort)port);
        await stream.WriteAsync(request, cancellation).ConfigureAwait(false);

        await stream.ReadExactlyAsync(reply.AsMemory(0, 5), cancellation).ConfigureAwait(false);
        if (reply[0] != 5 || reply[1] != 0)
        {
            throw new LoadException("proxy", string.Create(CultureInfo.InvariantCulture, $"SOCKS5 reply {reply[1]}"));
        }

        // The bound address: ATYP 1 (4 bytes), 4 (16) or 3 (length byte, already read as reply[4]).
        int rest = reply[3] switch
        {
            1 => 4 - 1 + 2,
            4 => 16 - 1 + 2,
            3 => reply[4] + 2,
            _ => throw new LoadException("proxy", "SOCKS5 reply with an unknown address type"),
        };
        await stream.ReadExactlyAsync(reply.AsMemory(5, rest), cancellation).ConfigureAwait(false);
    }
}
