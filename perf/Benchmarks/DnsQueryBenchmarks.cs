using BenchmarkDotNet.Attributes;
using Gateway.Dns;

namespace Benchmarks;

/// <summary>
/// <c>DnsQueryReader.TryRead</c> over whole query messages (budget: 0 B and ≤ 200 ns per query),
/// and reading plus writing the A answer. Each invocation handles the query <see cref="Ops"/>
/// times. The baseline only finds the end of the question name (the first zero byte after the
/// header): the least any reader must do.
/// </summary>
public class DnsQueryBenchmarks
{
    private const int Ops = 16;

    private byte[] _digQuery = [];
    private byte[] _stubQuery = [];
    private byte[] _mixedCase = [];
    private readonly byte[] _name = new byte[DnsQueryReader.MaxNameLength];
    private readonly byte[] _response = new byte[DnsResponseWriter.MaxResponseLength];
    private static readonly byte[] s_address = [10, 209, 0, 1];

    [GlobalSetup]
    public void Setup()
    {
        // What dig 9.18 sends for `dig api.example.test A`: RD, AD, one question, OPT (1232 bytes)
        // with an 8-byte client COOKIE (RFC 7873): 56 bytes.
        _digQuery = Query("api.example.test", 1, [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);

        // What glibc's stub sends for getaddrinfo: RD, one question, no EDNS: 34 bytes.
        _stubQuery = Query("api.example.test", 28, []);

        // A resolver using 0x20 case randomisation (names are lower-cased on the way in).
        _mixedCase = Query("aPi.ExAmPlE.tEsT", 1, [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);
        foreach (byte[] query in new[] { _digQuery, _stubQuery, _mixedCase })
        {
            if (DnsQueryReader.TryRead(query, _name, out _, out DnsRejection rejection) != DnsParseStatus.Complete)
            {
                throw new InvalidOperationException($"benchmark query not read as complete: {rejection}");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "find the question's end only")]
    public int Baseline_FindNameEnd()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += _digQuery.AsSpan(12).IndexOf((byte)0);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "dig A with EDNS + cookie")]
    public int Dig_WithEdns() => Run(_digQuery);

    [Benchmark(OperationsPerInvoke = Ops, Description = "glibc stub AAAA, no EDNS")]
    public int Stub_NoEdns() => Run(_stubQuery);

    [Benchmark(OperationsPerInvoke = Ops, Description = "0x20 mixed case with EDNS")]
    public int MixedCase_WithEdns() => Run(_mixedCase);

    [Benchmark(OperationsPerInvoke = Ops, Description = "read + write A answer (dig query)")]
    public int ReadAndAnswer()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            DnsQueryReader.TryRead(_digQuery, _name, out DnsQuery query, out _);
            total += DnsResponseWriter.WriteAddress(_response, _digQuery, query, s_address, DnsResponseWriter.LimitFor(query, tcp: false));
        }

        return total;
    }

    private int Run(byte[] message)
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += (int)DnsQueryReader.TryRead(message, _name, out DnsQuery query, out _) + query.NameLength;
        }

        return total;
    }

    private static byte[] Query(string name, ushort type, byte[] opt)
    {
        var bytes = new List<byte> { 0xA1, 0xB2, 0x01, opt.Length > 0 ? (byte)0x20 : (byte)0, 0, 1, 0, 0, 0, 0, 0, (byte)(opt.Length > 0 ? 1 : 0) };
        foreach (string label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        bytes.AddRange(opt);
        return [.. bytes];
    }
}
