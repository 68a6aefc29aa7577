package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration reference against the readers it describes and the page made of it. */
class ConfigReferenceTest {
  @TempDir Path dir;

  private static ConfigReference.Document document(String name) {
    return ConfigReference.documents().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void eachObjectListsExactlyTheFieldsItsReaderAcceptsEachDescribed() {
    for (Map.Entry<String, Map<String, Set<String>>> reader :
        ConfigReference.readers().entrySet()) {
      ConfigReference.Document d = document(reader.getKey());
      Map<String, Set<String>> documented = new TreeMap<>();
      for (ConfigReference.Section s : d.sections()) {
        documented.put(
            s.path(),
            s.fields().stream()
                .map(ConfigReference.Field::name)
                .collect(Collectors.toCollection(TreeSet::new)));
        assertThat(s.title()).as(s.path()).isNotBlank();
        for (ConfigReference.Field f : s.fields()) {
          assertThat(f.type()).as(s.path() + "." + f.name()).isNotBlank();
          assertThat(f.defaultValue()).as(s.path() + "." + f.name()).isNotBlank();
          assertThat(f.text()).as(s.path() + "." + f.name()).isNotBlank();
        }
      }
      Map<String, Set<String>> accepted = new TreeMap<>();
      reader.getValue().forEach((path, fields) -> accepted.put(path, new TreeSet<>(fields)));
      assertThat(documented).as(reader.getKey()).isEqualTo(accepted);
    }
  }

  @Test
  void theExamplesAreDocumentsTheNodeAccepts() throws Exception {
    ConfigLoader.parse(document("configuration").example().getBytes(StandardCharsets.UTF_8), false);
    Path node = dir.resolve("node.yaml");
    Files.writeString(node, document("node").example());
    NodeConfigLoader.load(node);
  }

  @Test
  void theReferencePageIsWhatTheReferencePrints() throws Exception {
    Path page = Path.of("..", "docs", "configuration.md");
    assertThat(Files.readString(page))
        .as("docs/configuration.md is stale: run `lbctl config reference > docs/configuration.md`")
        .isEqualTo(ConfigReference.markdown());
  }
}
