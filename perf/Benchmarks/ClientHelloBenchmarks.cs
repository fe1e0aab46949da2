using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Protocols;

namespace Benchmarks;

/// <summary>
/// <c>ClientHelloReader.TryRead</c> over a Chrome-like ClientHello of ~1.8 KB with GREASE and
/// ECH-GREASE (budget: 0 B and ≤ 200 ns per hello). Each invocation reads the hello
/// <see cref="Ops"/> times. The baseline only reads the record and handshake headers and finds
/// the server_name extension's bytes by a plain search: the least any SNI peek must do.
/// </summary>
public class ClientHelloBenchmarks
{
    private const int Ops = 16;

    private byte[] _hello = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _fourKiBSegments;
    private ReadOnlySequence<byte> _mssSegments;
    private ReadOnlySequence<byte> _twoRecords;
    private ReadOnlySequence<byte> _http;
    private ClientHello _clientHello;

    [GlobalSetup]
    public void Setup()
    {
        byte[] handshake = ChromeClientHello.Handshake("www.example.test");
        _hello = ChromeClientHello.Records(handshake, handshake.Length);
        _single = new ReadOnlySequence<byte>(_hello);

        // Kestrel's pipe hands over 4 KiB blocks: a hello read after 100 bytes of something
        // else straddles two of them. And one TCP segment per 1,460 bytes (an Ethernet MSS).
        _fourKiBSegments = BenchmarkSegment.Create([.. new byte[4096 - 1000], .. _hello], 4096).Slice(4096 - 1000);
        _mssSegments = BenchmarkSegment.Chunked(_hello, 1460);
        _twoRecords = new ReadOnlySequence<byte>(ChromeClientHello.Records(handshake, 1024));
        _http = new ReadOnlySequence<byte>("GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n"u8.ToArray());

        foreach (ReadOnlySequence<byte> buffer in new[] { _single, _fourKiBSegments, _mssSegments, _twoRecords })
        {
            if (ClientHelloReader.TryRead(buffer, ref _clientHello, out ClientHelloRejection rejection) != ClientHelloStatus.Complete
                || !_clientHello.ServerName.SequenceEqual("www.example.test"u8))
            {
                throw new InvalidOperationException($"benchmark hello not read as complete: {rejection}");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "headers + find SNI bytes only (single span)")]
    public int Baseline_FindServerName()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            ReadOnlySpan<byte> span = _hello;
            int length = (span[3] << 8) | span[4];
            total += length + span[5..(5 + length)].IndexOf("www.example.test"u8);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Chrome_SingleSegment() => Run(_single);

    [Benchmark(OperationsPerInvoke = Ops, Description = "Chrome_TwoSegments (4 KiB pipe blocks)")]
    public int Chrome_FourKiBSegments() => Run(_fourKiBSegments);

    [Benchmark(OperationsPerInvoke = Ops, Description = "Chrome_1460ByteSegments")]
    public int Chrome_MssSegments() => Run(_mssSegments);

    [Benchmark(OperationsPerInvoke = Ops, Description = "Chrome_TwoRecords (1024 + rest)")]
    public int Chrome_TwoRecords() => Run(_twoRecords);

    [Benchmark(OperationsPerInvoke = Ops, Description = "NotTls: GET")]
    public int NotTls_Get() => Run(_http);

    private int Run(in ReadOnlySequence<byte> buffer)
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += (int)ClientHelloReader.TryRead(buffer, ref _clientHello, out _) + _clientHello.ServerName.Length;
        }

        return total;
    }
}
