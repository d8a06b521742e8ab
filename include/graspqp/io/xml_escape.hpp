#pragma once
// Escaping text for XML and HTML (MJCF attributes, the gallery's page): & < > " become entities.
#include <string>

namespace graspqp {

std::string xml_escape(const std::string& text);

}  // namespace graspqp
