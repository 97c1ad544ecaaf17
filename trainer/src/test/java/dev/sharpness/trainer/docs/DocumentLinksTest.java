package dev.sharpness.trainer.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository's Markdown names only files that exist: no link, and no mention, into nothing. */
class DocumentLinksTest {
    /** The tests run in {@code trainer/}; the documents are in the repository above it. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    /** Files the documents once referred to without a link, and that do not exist. */
    private static final Pattern MISSING = Pattern.compile("DESIGN\\.md|project's `LICENSE`");

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (String folder : new String[] {"docs", "examples", "bench", "charts"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(folder))) {
                files.filter(file -> file.toString().endsWith(".md"))
                        .filter(file -> !file.toString().contains("/target/"))
                        .forEach(documents::add);
            }
        }
        return documents;
    }

    @Test
    void everyRelativeLinkAndNamedFileExists() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path document : documents()) {
            String text = Files.readString(document);
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (!target.matches("[a-z]+:.*")
                        && !Files.exists(document.getParent().resolve(target))) {
                    broken.add(ROOT.relativize(document) + " links " + target);
                }
            }
            Matcher missing = MISSING.matcher(text);
            while (missing.find()) {
                broken.add(ROOT.relativize(document) + " names " + missing.group());
            }
        }
        assertThat(broken).isEmpty();
    }
}
