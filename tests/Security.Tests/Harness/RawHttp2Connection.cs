using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Tests.Listeners;

namespace Security.Tests.Harness;

/// <summary>
/// A hand-written HTTP/2 client (RFC 9113) on an intercepted connection, for frames no real client
/// sends: CONNECT through the forward proxy, TLS trusting only the gateway's CA with ALPN "h2", the
/// preface and SETTINGS, then HEADERS/CONTINUATION/DATA built from <see cref="RawHpack"/> literals,
/// so any name or value bytes go out as given. Every read is bounded by a deadline.
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    private const int MaxFrame = 16 * 1024;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private readonly RawClient _client;
    private readonly SslStream _tls;
    private readonly byte[] _header = new byte[9];

    private RawHttp2Connection(RawClient client, SslStream tls)
    {
        _client = client;
        _tls = tls;
    }

    /// <summary>True once a write failed: the gateway closed the connection while frames were still going out.</summary>
    public bool WriteFailed { get; private set; }

    /// <summary>CONNECT <paramref name="host"/>:<paramref name="port"/>, TLS with ALPN h2, and the SETTINGS exchange.</summary>
    public static async Task<RawHttp2Connection> OpenAsync(int proxyPort, string host, int port, string gatewayCaPath)
    {
        RawClient client = await RawClient.ConnectAsync(proxyPort);
        await client.SendAsync($"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();
        Assert.True(status == 200, head);

        using X509Certificate2 gatewayCa = X509CertificateLoader.LoadCertificateFromFile(gatewayCaPath);
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(gatewayCa);
        var tls = new SslStream(new System.Net.Sockets.NetworkStream(client.Socket, ownsSocket: false));
        using var cts = new CancellationTokenSource(s_timeout);
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = trust, ApplicationProtocols = [SslApplicationProtocol.Http2] },
            cts.Token);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);

        var connection = new RawHttp2Connection(client, tls);

        // SETTINGS_HEADER_TABLE_SIZE = 0: the server's responses then never use the dynamic table.
        await connection.WriteRawAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await connection.SendFrameAsync(Settings, 0, 0, new byte[] { 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 });
        return connection;
    }

    /// <summary>One header block as HEADERS plus as many CONTINUATION frames as <paramref name="fragment"/> bytes per frame need.</summary>
    public Task SendHeadersAsync(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream, int fragment = MaxFrame) =>
        SendHeaderBlockAsync(streamId, RawHpack.Encode(fields), endStream, fragment);

    /// <summary>An encoded header block split over HEADERS and CONTINUATION frames.</summary>
    public async Task SendHeaderBlockAsync(int streamId, byte[] block, bool endStream, int fragment = MaxFrame)
    {
        int at = 0;
        byte type = Headers;
        do
        {
            int length = Math.Min(fragment, block.Length - at);
            bool last = at + length == block.Length;
            byte flags = (byte)((last ? EndHeaders : 0) | (type == Headers && endStream ? EndStream : 0));
            await SendFrameAsync(type, flags, streamId, block.AsMemory(at, length));
            at += length;
            type = Continuation;
        }
        while (at < block.Length && !WriteFailed);
    }

    public Task SendDataAsync(int streamId, string data, bool endStream) =>
        SendFrameAsync(Data, endStream ? EndStream : (byte)0, streamId, Encoding.Latin1.GetBytes(data));

    /// <summary>Any frame, as given (RFC 9113 §4.1).</summary>
    public Task SendFrameAsync(byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload) =>
        WriteRawAsync(Frame(type, flags, streamId, payload.Span));

    /// <summary>One frame's bytes (RFC 9113 §4.1), for a test that sends many in one write.</summary>
    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    /// <summary>Reads frames until stream <paramref name="streamId"/> ends, is reset, or the connection goes away or closes.</summary>
    public async Task<Http2Outcome> ReadOutcomeAsync(int streamId)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        int? status = null;
        var headers = new List<(string, string)>();
        var body = new StringBuilder();
        var block = new MemoryStream();
        for (int frames = 0; frames < 10_000; frames++)
        {
            if (await ReadFrameAsync(cts.Token) is not var (type, flags, id, payload))
            {
                return new Http2Outcome(status, headers, body.ToString(), null, null, Closed: true);
            }

            switch (type)
            {
                case Settings when (flags & Ack) == 0:
                    await SendFrameAsync(Settings, Ack, 0, ReadOnlyMemory<byte>.Empty);
                    break;
                case Ping when (flags & Ack) == 0:
                    await SendFrameAsync(Ping, Ack, 0, payload);
                    break;
                case GoAway:
                    int code = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
                    if (code != 0 || BinaryPrimitives.ReadInt32BigEndian(payload) < streamId)
                    {
                        return new Http2Outcome(status, headers, body.ToString(), null, code, Closed: false);
                    }

                    break;
                case RstStream when id == streamId:
                    return new Http2Outcome(status, headers, body.ToString(), BinaryPrimitives.ReadInt32BigEndian(payload), null, Closed: false);
                case Headers or Continuation when id == streamId:
                    int start = type == Headers ? HeadersPayloadStart(flags) : 0;
                    block.Write(payload, start, payload.Length - start - (type == Headers ? Padding(flags, payload) : 0));
                    if ((flags & EndHeaders) != 0)
                    {
                        foreach ((string name, string value) in RawHpack.Decode(block.ToArray()))
                        {
                            headers.Add((name, value));
                            status ??= name == ":status" ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;
                        }

                        block.SetLength(0);
                    }

                    if ((flags & EndStream) != 0)
                    {
                        return new Http2Outcome(status, headers, body.ToString(), null, null, Closed: false);
                    }

                    break;
                case Data when id == streamId:
                    body.Append(Encoding.Latin1.GetString(payload, (flags & 0x8) != 0 ? 1 : 0, payload.Length - Padding(flags, payload) - ((flags & 0x8) != 0 ? 1 : 0)));
                    if ((flags & EndStream) != 0)
                    {
                        return new Http2Outcome(status, headers, body.ToString(), null, null, Closed: false);
                    }

                    break;
            }
        }

        throw new InvalidDataException("more than 10,000 frames without the stream ending");
    }

    /// <summary>
    /// Reads and discards frames until the connection closes or <paramref name="cancellation"/>
    /// fires; whether a GOAWAY arrived (an attacker never answers SETTINGS or PING).
    /// </summary>
    public async Task<bool> DrainAsync(CancellationToken cancellation)
    {
        bool goAway = false;
        try
        {
            while (await ReadFrameAsync(cancellation) is var (type, _, _, _))
            {
                goAway |= type == GoAway;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidDataException)
        {
            // A frame past the default size: not what this reader is for, but the connection lives.
        }

        return goAway;
    }

    /// <summary>Resets the TCP connection (RST, no close_notify, no FIN): a client that vanishes mid-flight.</summary>
    public void Abort()
    {
        _client.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        _client.Socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _client.Dispose();
    }

    // RFC 9113 §6.2: PADDED (0x8) adds a pad-length byte, PRIORITY (0x20) five bytes before the fragment.
    private static int HeadersPayloadStart(byte flags) => ((flags & 0x8) != 0 ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0);

    private static int Padding(byte flags, byte[] payload) => (flags & 0x8) != 0 ? payload[0] : 0;

    private async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellation)
    {
        try
        {
            await _tls.ReadExactlyAsync(_header, cancellation);
            int length = (_header[0] << 16) | (_header[1] << 8) | _header[2];
            if (length > MaxFrame)
            {
                throw new InvalidDataException($"a {length}-byte frame exceeds the default SETTINGS_MAX_FRAME_SIZE");
            }

            byte[] payload = new byte[length];
            await _tls.ReadExactlyAsync(payload, cancellation);
            return (_header[3], _header[4], BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(5)) & int.MaxValue, payload);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or AuthenticationException)
        {
            return null;
        }
    }

    /// <summary>Bytes as they are, for many frames at once.</summary>
    public async Task WriteRawAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        try
        {
            await _tls.WriteAsync(bytes, cts.Token);
        }
        catch (IOException)
        {
            WriteFailed = true;
        }
    }
}
