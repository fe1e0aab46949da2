using SharpFuzz;

namespace Gateway.Fuzz;

/// <summary>
/// <c>Gateway.Fuzz TARGET</c> under afl-fuzz runs one parser per input (SharpFuzz's fork-server
/// protocol); <c>Gateway.Fuzz --instrument DIR</c> instruments the gateway assemblies copied to
/// DIR first; <c>Gateway.Fuzz TARGET --replay FILE…</c> runs saved inputs once each (a crash
/// found is reproduced this way).
/// </summary>
internal static class Program
{
    // SharpFuzz's experimental flags, all off; its constructor is not public (the command-line tool builds it the same way).
    private static readonly Options s_options = (Options)Activator.CreateInstance(typeof(Options), nonPublic: true)!;

    private static int Main(string[] args)
    {
        if (args is ["--instrument", string directory])
        {
            foreach (string assembly in (string[])["gateway.dll", "PolicyCompiler.dll"])
            {
                Fuzzer.Instrument(Path.Combine(directory, assembly), static _ => true, s_options);
            }

            return 0;
        }

        if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out Action<byte[]>? target))
        {
            Console.Error.WriteLine("usage: Gateway.Fuzz (" + string.Join(" | ", FuzzTargets.All.Keys) + ") [--replay FILE…] | --instrument DIR");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--replay")
        {
            foreach (string file in args[2..])
            {
                target(File.ReadAllBytes(file));
            }

            return 0;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
    }
}
