"""Small pieces every app may use and that know no app: settings parsing, the network, ids."""
