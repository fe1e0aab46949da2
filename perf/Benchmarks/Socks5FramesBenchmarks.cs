using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Dialing;

namespace Benchmarks;

/// <summary>
/// The client side of one SOCKS5 handshake's framing (<c>Socks5Frames</c>): greeting, RFC 1929
/// request, CONNECT by name, and reading the method choice, auth status and reply — the bytes
/// work the Dialer does per proxied connection besides the socket calls. Budget: 0 B. Each
/// invocation runs <see cref="Ops"/> handshakes; the baseline copies the same frames out of
/// pre-built arrays (the least any framing can cost). The split case reads the reply as the
/// client does when it arrives one byte per read: every prefix, then the whole.
/// </summary>
public class Socks5FramesBenchmarks
{
    private const int Ops = 16;
    private const string Host = "api.internal.example.com";

    private static readonly byte[] s_methodChoice = [5, 2];
    private static readonly byte[] s_authStatus = [1, 0];
    private static readonly byte[] s_domainReply = [5, 0, 0, 3, 9, .. "proxy.lan"u8, 0x04, 0x38];

    private readonly byte[] _buffer = new byte[Socks5Client.BufferSize];
    private readonly byte[] _username = "svc-sandbox"u8.ToArray();
    private readonly byte[] _password = "correct-horse-battery-staple"u8.ToArray();
    private readonly IPAddress _address = IPAddress.Parse("198.51.100.7");
    private byte[] _greetingFrame = [];
    private byte[] _authFrame = [];
    private byte[] _connectFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        byte[] scratch = new byte[Socks5Client.BufferSize];
        _greetingFrame = scratch.AsSpan(0, Socks5Frames.WriteGreeting(scratch, offerUsernamePassword: true)).ToArray();
        if (!Socks5Frames.TryWriteUsernamePassword(scratch, _username, _password, out int authLength))
        {
            throw new InvalidOperationException("benchmark credential not writable");
        }

        _authFrame = scratch.AsSpan(0, authLength).ToArray();
        if (!Socks5Frames.TryWriteConnect(scratch, Host, 443, out int connectLength))
        {
            throw new InvalidOperationException("benchmark host not writable");
        }

        _connectFrame = scratch.AsSpan(0, connectLength).ToArray();
        if (Handshake_ByName() != Ops * (_greetingFrame.Length + _authFrame.Length + _connectFrame.Length + s_domainReply.Length))
        {
            throw new InvalidOperationException("benchmark handshake did not complete");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "copy pre-built frames only")]
    public int Baseline_CopyFrames()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            _greetingFrame.CopyTo(_buffer, 0);
            _authFrame.CopyTo(_buffer, 0);
            _connectFrame.CopyTo(_buffer, 0);
            total += _greetingFrame.Length + _authFrame.Length + _connectFrame.Length + _buffer[0] + s_domainReply[1];
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "handshake by name, with RFC 1929")]
    public int Handshake_ByName()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += Socks5Frames.WriteGreeting(_buffer, offerUsernamePassword: true);
            Socks5Frames.TryReadMethodChoice(s_methodChoice, out byte method, out _);
            Socks5Frames.TryWriteUsernamePassword(_buffer, _username, _password, out int auth);
            Socks5Frames.TryReadAuthStatus(s_authStatus, out bool ok, out _);
            Socks5Frames.TryWriteConnect(_buffer, Host, 443, out int connect);
            Socks5Frames.TryReadReply(s_domainReply, out Socks5ReplyCode code, out int reply, out _);
            total += auth + connect + reply + method - 2 + (ok ? 0 : 1) + (int)code;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "CONNECT to an IPv4 literal")]
    public int Connect_IPv4()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += Socks5Frames.WriteConnect(_buffer, _address, 443);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "reply split: one byte per read")]
    public int Reply_SplitOneBytePerRead()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            for (int have = 1; have <= s_domainReply.Length; have++)
            {
                if (Socks5Frames.TryReadReply(s_domainReply.AsSpan(0, have), out _, out int length, out _) == Socks5ParseStatus.Complete)
                {
                    total += length;
                }
            }
        }

        return total;
    }
}
